import Foundation
import Geometry
import Phantom

/// A configured simulation: phantom, media tables, source and settings. It runs histories one at a
/// time into a caller's tally; it holds no mutable state, so any number of threads can share it.
///
/// A history reads as the physics: sample a primary, then pop particles off a stack until it is empty,
/// transporting photons with Woodcock tracking (`PhotonKernel.swift`) and electrons/positrons with
/// class II condensed history (`ChargedKernel.swift`).
public struct Simulation: Sendable {
    public let phantom: VoxelPhantom
    /// The beam source, or nil for a simulation whose caller supplies every primary (`runHistory(…primary:)`).
    public let source: BeamSource?
    public let settings: TransportSettings
    let tables: [MediumTables]
    let majorant: PhotonMajorant
    let scattering: MultipleScatteringSampler
    /// Per voxel, g/cm³ and medium index (one shared array, `VoxelMaterials.swift`).
    let density: DensityColumn
    let medium: MediumColumn

    /// Prepares a simulation.
    /// - Parameters:
    ///   - mediumPhysics: the physics of each of `phantom.media`, in the same order.
    /// - Throws: `SimulationError` if the media or the source do not fit the phantom, or the settings
    ///   are invalid.
    ///   - water: the physics of water, required when `settings.doseQuantity` is `.water`.
    public init(phantom: VoxelPhantom, mediumPhysics: [any MediumPhysics], source: BeamSource,
                settings: TransportSettings = TransportSettings(), water: (any MediumPhysics)? = nil) throws {
        let f = source.field
        let g = phantom.grid
        // The field must land on the phantom's front face (with a rounding allowance of 1 µm).
        guard f.x1CM >= g.originCM.x - 1e-4, f.x2CM <= g.endCM.x + 1e-4, f.y1CM >= g.originCM.y - 1e-4,
              f.y2CM <= g.endCM.y + 1e-4 else {
            throw SimulationError.fieldOutsidePhantom(
                "field x \(f.x1CM)…\(f.x2CM), y \(f.y1CM)…\(f.y2CM) cm is not inside the phantom's front face "
                    + "x \(g.originCM.x)…\(g.endCM.x), y \(g.originCM.y)…\(g.endCM.y) cm")
        }
        if case .pointSource(let ssd, _, _) = source, !(ssd > 0) || !ssd.isFinite {
            throw SimulationError.badEnergy("SSD must be positive, got \(ssd) cm")
        }
        try self.init(phantom: phantom, mediumPhysics: mediumPhysics, source: source,
                      maximumEnergyMeV: source.energy.maximumMeV, settings: settings, water: water)
    }

    /// Prepares a simulation without a beam source: every primary comes from the caller's `primary`
    /// closure (`runHistory(_:seed:tally:scratch:primary:)`, `TransportEngine.run(…primary:)`), e.g. a
    /// linac beam model. `maximumEnergyMeV` is the largest primary energy; it sizes the interaction tables.
    /// - Throws: `SimulationError` if the media do not fit the phantom, the energy is out of range or the
    ///   settings are invalid.
    public init(phantom: VoxelPhantom, mediumPhysics: [any MediumPhysics], maximumEnergyMeV: Double,
                settings: TransportSettings = TransportSettings(), water: (any MediumPhysics)? = nil) throws {
        try self.init(phantom: phantom, mediumPhysics: mediumPhysics, source: nil, maximumEnergyMeV: maximumEnergyMeV,
                      settings: settings, water: water)
    }

    private init(phantom: VoxelPhantom, mediumPhysics: [any MediumPhysics], source: BeamSource?, maximumEnergyMeV emax: Double,
                 settings: TransportSettings, water: (any MediumPhysics)?) throws {
        try settings.validate()
        guard mediumPhysics.count == phantom.media.count else {
            throw SimulationError.mediaMismatch(phantom: phantom.media.count, physics: mediumPhysics.count)
        }
        guard emax > settings.photonCutoffMeV, emax <= 25 else {
            throw SimulationError.badEnergy("source maximum energy \(emax) MeV must be above the photon cut-off "
                + "\(settings.photonCutoffMeV) MeV and at most 25 MeV (the range of the physics tables)")
        }
        self.phantom = phantom
        self.source = source
        self.settings = settings
        let lo = min(settings.photonCutoffMeV, settings.electronCutoffMeV) * 0.5
        if settings.doseQuantity == .water && water == nil {
            throw SimulationError.badEnergy("dose to water needs the physics of water (pass `water:`)")
        }
        let reference = settings.doseQuantity == .water ? water : nil
        tables = mediumPhysics.map {
            MediumTables(physics: $0, minimumMeV: lo, maximumMeV: max(emax * 1.05, 1), water: reference,
                         spinEffects: settings.spinEffects)
        }
        majorant = PhotonMajorant(phantom: phantom, edge: settings.majorantBlockVoxels)
        scattering = MultipleScatteringSampler(model: settings.multipleScattering)
        let voxels = zip(phantom.densitiesGPerCM3, phantom.mediumIndices).map { VoxelMaterial(density: $0, medium: UInt32($1)) }
        density = DensityColumn(voxels: voxels)
        medium = MediumColumn(voxels: voxels)
    }

    /// Runs primary history `history` (its global index) under `seed` from the beam source, adding its
    /// deposits to `tally`.
    public func runHistory(_ history: UInt64, seed: UInt64, tally: inout EnergyTally, scratch: inout Scratch) {
        guard let source else {
            preconditionFailure("Simulation.runHistory: this simulation has no beam source; pass `primary:`")
        }
        let front = phantom.grid.originCM.z
        runHistory(history, seed: seed, tally: &tally, scratch: &scratch) { rng in
            let p = source.sample(frontZCM: front, rng: &rng)
            return PrimaryParticle(positionCM: p.positionCM, direction: p.direction, energyMeV: p.energyMeV, charge: 0)
        }
    }

    /// Runs primary history `history` with a primary drawn by `primary` from the history's stream (for
    /// sources other than the beam, e.g. the uniform electron source of a Fano test). A primary outside
    /// the phantom is moved along its direction to where it enters, or counts as a history that missed.
    public func runHistory(_ history: UInt64, seed: UInt64, tally: inout EnergyTally, scratch: inout Scratch,
                           primary: (inout RandomStream) -> PrimaryParticle) {
        tally.beginHistory(history)
        var rng = RandomStream(seed: seed, history: history)
        let g = phantom.grid
        let first = primary(&rng)
        guard let entry = g.entry(from: first.positionCM, direction: first.direction) else { return }
        let r = first.positionCM + first.direction * entry.distanceCM
        scratch.stack.removeAll(keepingCapacity: true)
        let particle = Particle(r: r, u: first.direction, e: first.energyMeV, charge: first.charge,
                                i: entry.voxel.i, j: entry.voxel.j, k: entry.voxel.k, rng: rng)
        if first.charge == 0 && settings.photonSplitting > 1 {
            pushSplitCopies(of: particle, scratch: &scratch)
        } else {
            scratch.stack.append(particle)
        }
        while var p = scratch.stack.popLast() {
            if p.charge == 0 {
                transportPhoton(&p, tally: &tally, scratch: &scratch)
            } else {
                transportCharged(&p, tally: &tally, scratch: &scratch)
            }
        }
    }

    /// Per-thread working memory: the particle stack and per-medium coefficients.
    public struct Scratch: Sendable {
        var stack: [Particle] = []
        var muPerMedium: [Double]

        /// Scratch space for a simulation.
        public init(for simulation: Simulation) {
            muPerMedium = Array(repeating: 0, count: simulation.tables.count)
            stack.reserveCapacity(64)
        }
    }

    @inline(__always)
    func voxelIndex(_ p: Particle) -> Int { phantom.grid.index(p.i, p.j, p.k) }

    /// Deposits `energyMeV` in the particle's voxel. For dose to water the energy is scaled by s_w,m at
    /// `atEnergyMeV` (the energy of the electrons that absorb it; the cut-off for sub-cut-off energy).
    @inline(__always)
    func depositLocally(_ energyMeV: Double, _ p: Particle, _ tally: inout EnergyTally, atEnergyMeV: Double? = nil) {
        let v = voxelIndex(p)
        var e = energyMeV
        if settings.doseQuantity == .water {
            let t = tables[medium[v]]
            e *= t.value(t.doseFactor[p.charge > 0 ? 1 : 0], t.locate(atEnergyMeV ?? settings.electronCutoffMeV))
        }
        tally.deposit(e * p.weight, voxel: v)
    }
}

/// Why a simulation cannot be set up.
public enum SimulationError: Error, CustomStringConvertible, Equatable {
    case mediaMismatch(phantom: Int, physics: Int)
    case fieldOutsidePhantom(String)
    case badEnergy(String)

    public var description: String {
        switch self {
        case .mediaMismatch(let p, let q): "the phantom lists \(p) media but physics was given for \(q)"
        case .fieldOutsidePhantom(let s), .badEnergy(let s): s
        }
    }
}
