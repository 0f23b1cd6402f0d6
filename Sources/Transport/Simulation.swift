import Foundation
import Geometry
import Phantom
import Synchronization

/// A configured simulation: phantom, media tables, primary source and settings. It runs histories one at a
/// time into a caller's tally; it holds no mutable state, so any number of threads can share it.
///
/// A history reads as the physics: sample a primary, then pop particles off a stack until it is empty,
/// transporting photons with Woodcock tracking (`PhotonKernel.swift`) and electrons/positrons with
/// class II condensed history (`ChargedKernel.swift`).
public struct Simulation: Sendable {
    public internal(set) var phantom: VoxelPhantom
    /// Where the primaries come from.
    public let source: any PrimarySource
    public let settings: TransportSettings
    let tables: [MediumTables]
    var majorant: PhotonMajorant
    /// The whole phantom, or one slab of a decomposed run (`SlabTransport`).
    var region: SlabRegion
    let scattering: MultipleScatteringSampler
    /// Per voxel, g/cm³ and medium index (one shared array, `VoxelMaterials.swift`).
    var density: DensityColumn
    var medium: MediumColumn

    /// Prepares a simulation of a validation beam aimed at the phantom's front face (`FrontFaceBeam`).
    /// - Throws: `SimulationError` if the media or the beam do not fit the phantom, or the settings are
    ///   invalid.
    public init(phantom: VoxelPhantom, mediumPhysics: [any MediumPhysics], source: BeamSource,
                settings: TransportSettings = TransportSettings(), water: (any MediumPhysics)? = nil) throws {
        try self.init(phantom: phantom, mediumPhysics: mediumPhysics, source: FrontFaceBeam(source, on: phantom),
                      settings: settings, water: water)
    }

    /// Prepares a simulation.
    /// - Parameters:
    ///   - mediumPhysics: the physics of each of `phantom.media`, in the same order.
    ///   - source: the primaries; its `maximumEnergyMeV` sizes the interaction tables.
    ///   - water: the physics of water, required when `settings.doseQuantity` is `.water`.
    /// - Throws: `SimulationError` if the media or the source do not fit the phantom, the source's energy
    ///   is out of range or the settings are invalid.
    public init(phantom: VoxelPhantom, mediumPhysics: [any MediumPhysics], source: any PrimarySource,
                settings: TransportSettings = TransportSettings(), water: (any MediumPhysics)? = nil) throws {
        try settings.validate()
        guard mediumPhysics.count == phantom.media.count else {
            throw SimulationError.mediaMismatch(phantom: phantom.media.count, physics: mediumPhysics.count)
        }
        try source.check(against: phantom)
        let emax = source.maximumEnergyMeV
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
        (tables, scattering) = Self.buildTables(
            mediumPhysics, minimumMeV: lo, maximumMeV: max(emax * 1.05, 1), water: reference, settings: settings)
        majorant = PhotonMajorant(phantom: phantom, edge: settings.majorantBlockVoxels)
        region = SlabRegion(whole: phantom.grid)
        let voxels = zip(phantom.densitiesGPerCM3, phantom.mediumIndices).map { VoxelMaterial(density: $0, medium: UInt32($1)) }
        density = DensityColumn(voxels: voxels)
        medium = MediumColumn(voxels: voxels)
    }

    /// Every medium's tables and the multiple-scattering model's, built side by side on all cores: they are
    /// independent, and built one after the other they were a serial stretch of every run (1.6 % of a
    /// 300 000-history run, ≈ 30 % of a 20 000-history run's 2-thread wall with the per-round σ;
    /// docs/performance.md, session 7). Each is built by the same code as before, so the same bits.
    static func buildTables(
        _ mediumPhysics: [any MediumPhysics], minimumMeV: Double, maximumMeV: Double, water: (any MediumPhysics)?,
        settings: TransportSettings
    ) -> ([MediumTables], MultipleScatteringSampler) {
        let built = Mutex<[MediumTables?]>(Array(repeating: nil, count: mediumPhysics.count))
        let model = settings.multipleScattering, spinEffects = settings.spinEffects
        let scattering = Mutex<MultipleScatteringSampler?>(nil)
        // Item 0 is the scattering model, item m + 1 medium m.
        DispatchQueue.concurrentPerform(iterations: mediumPhysics.count + 1) { item in
            guard item > 0 else {
                let sampler = MultipleScatteringSampler(model: model)
                scattering.withLock { $0 = sampler }
                return
            }
            let t = MediumTables(physics: mediumPhysics[item - 1], minimumMeV: minimumMeV, maximumMeV: maximumMeV,
                                 water: water, spinEffects: spinEffects)
            built.withLock { $0[item - 1] = t }
        }
        return (built.withLock { $0.map { $0! } }, scattering.withLock { $0! })
    }

    /// Runs primary history `history` (its global index) under `seed`, adding its deposits to `tally`.
    /// A single primary continues the history's stream after the source's draws; when a history has
    /// several (a phase-space history), each gets its own stream spawned from it, as secondaries do.
    public func runHistory(_ history: UInt64, seed: UInt64, tally: inout EnergyTally, scratch: inout Scratch) {
        tally.beginHistory(history)
        scratch.stack.removeAll(keepingCapacity: true)
        pushStartParticles(history, seed: seed, scratch: &scratch)
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
        var primaries: [PrimaryParticle] = []
        var muPerMedium: [Double]
        /// Particles that left the active slab (none when the whole phantom is active).
        var outgoing: [BankedParticle] = []

        /// Scratch space for a simulation.
        public init(for simulation: Simulation) {
            muPerMedium = Array(repeating: 0, count: simulation.tables.count)
            stack.reserveCapacity(64)
            primaries.reserveCapacity(4)
        }
    }

    @inline(__always)
    func voxelIndex(_ p: Particle) -> Int { region.dataIndex(p.i, p.j, p.k) }

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
