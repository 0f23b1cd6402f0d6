import Foundation

/// Electron and positron data of one material for one set of cuts, tabulated on the common ln E grid of
/// kinetic energies (1 keV–25 MeV) and interpolated linearly in ln T (the CSDA range log–log).
///
/// Stopping powers are mass stopping powers (MeV cm²/g), cross sections are per gram (cm²/g); multiply
/// by the local density for per-cm values. Positrons share the electrons' radiative data (PHYSICS.md
/// §2.6 does not ask for the small positron/electron bremsstrahlung difference).
public struct ElectronData: Sendable {
    /// The material.
    public let material: Material
    /// The cuts these tables were built for.
    public let cuts: ElectronCuts
    /// Kinetic-energy grid.
    public let grid: EnergyGrid
    /// δ on the grid (Sternheimer oscillator model, at the material's reference density).
    public let densityEffects: [Double]
    /// Bremsstrahlung cross-section table.
    public let bremsstrahlung: BremsstrahlungTable
    /// Hard Møller (e⁻) energy-transfer sampler for Δ.
    public let moller: MollerSampler
    /// Hard Bhabha (e⁺) energy-transfer sampler for Δ.
    public let bhabha: MollerSampler
    /// Bremsstrahlung photon-energy sampler for k_c.
    public let bremsstrahlungSampler: BremsstrahlungSampler

    /// Per-lepton tables on the grid (index 0 electron, 1 positron).
    private struct LeptonTables: Sendable {
        let restricted: [Double], unrestricted: [Double], hard: [Double]
        /// Below this kinetic energy no hard collision is possible (2Δ for e⁻, Δ for e⁺).
        let thresholdMeV: Double
    }

    private let leptons: [LeptonTables]
    private let radiative: (restricted: [Double], total: [Double])
    private let hardBremsstrahlung: [Double]
    private let lnRange: [Double]

    /// Builds the tables.
    /// - Throws: `PhysicsDataError.badCut` if a cut lies outside the tables.
    public init(
        material: Material, grid: EnergyGrid, densityEffects: [Double], bremsstrahlung: BremsstrahlungTable,
        cuts: ElectronCuts
    ) throws {
        try cuts.validate(tableRangeMeV: grid.rangeMeV)
        precondition(densityEffects.count == grid.count, "δ table does not match the grid")
        self.material = material
        self.cuts = cuts
        self.grid = grid
        self.densityEffects = densityEffects
        self.bremsstrahlung = bremsstrahlung
        let energies = (0..<grid.count).map { exp(grid.lnEnergy($0)) }
        let ne = material.electronMolesPerGram
        let tables = [Lepton.electron, .positron].map { lepton in
            func stoppingPower(_ i: Int, _ cut: Double?) -> Double {
                CollisionStoppingPower.massStoppingPower(
                    lepton, kineticEnergyMeV: energies[i], cutMeV: cut,
                    meanExcitationEnergyEV: material.meanExcitationEnergyEV, electronMolesPerGram: ne,
                    densityEffect: densityEffects[i])
            }
            return LeptonTables(
                restricted: energies.indices.map { stoppingPower($0, cuts.collisionCutMeV) },
                unrestricted: energies.indices.map { stoppingPower($0, nil) },
                hard: energies.map { t in
                    let gamma = 1 + t / CollisionStoppingPower.electronMassMeV
                    let beta2 = 1 - 1 / (gamma * gamma)
                    return CollisionStoppingPower.prefactor * ne / (beta2 * t)
                        * MollerSampler.integratedShape(lepton, cutMeV: cuts.collisionCutMeV, kineticEnergyMeV: t)
                },
                thresholdMeV: lepton == .electron ? 2 * cuts.collisionCutMeV : cuts.collisionCutMeV)
        }
        leptons = tables
        let brems = energies.map { bremsstrahlung.integrals(kineticEnergyMeV: $0, cutMeV: cuts.radiativeCutMeV) }
        radiative = (brems.map(\.restricted), brems.map(\.total))
        hardBremsstrahlung = brems.map(\.hard)
        // CSDA range R(T) = ∫ dT/S_total, trapezoid in ln T (dT = T d ln T). Below the first point,
        // S ∝ 1/T roughly (Bethe at keV energies), so R(T₀) ≈ T₀ / (2 S(T₀)).
        let total = energies.indices.map { tables[0].unrestricted[$0] + brems[$0].total }
        var range = [energies[0] / (2 * total[0])]
        for i in 1..<energies.count {
            let step = 0.5 * (energies[i - 1] / total[i - 1] + energies[i] / total[i]) / grid.inverseSpacing
            range.append(range[i - 1] + step)
        }
        lnRange = range.map { log($0) }
        moller = MollerSampler(lepton: .electron, cutMeV: cuts.collisionCutMeV)
        bhabha = MollerSampler(lepton: .positron, cutMeV: cuts.collisionCutMeV)
        bremsstrahlungSampler = BremsstrahlungSampler(bremsstrahlung: bremsstrahlung, cutMeV: cuts.radiativeCutMeV)
    }

    /// The kinetic-energy range of the tables, in MeV.
    public var energyRangeMeV: ClosedRange<Double> { grid.rangeMeV }

    /// Checks that `kineticEnergyMeV` lies in the tables.
    /// - Throws: `PhysicsDataError.energyOutOfRange` naming the quantity.
    public func checkEnergy(_ kineticEnergyMeV: Double, for quantity: String) throws {
        guard grid.contains(energyMeV: kineticEnergyMeV) else {
            throw PhysicsDataError.energyOutOfRange(
                quantity: quantity, energyMeV: kineticEnergyMeV, range: energyRangeMeV)
        }
    }

    /// Restricted total stopping power: collisions below Δ plus bremsstrahlung below k_c (the continuous
    /// loss of class II transport), MeV cm²/g.
    public func restrictedStoppingPower(_ lepton: Lepton, kineticEnergyMeV t: Double) -> Double {
        collisionStoppingPower(lepton, kineticEnergyMeV: t, restricted: true)
            + radiativeStoppingPower(kineticEnergyMeV: t, restricted: true)
    }

    /// Collision stopping power, restricted to transfers below Δ or not, MeV cm²/g.
    public func collisionStoppingPower(_ lepton: Lepton, kineticEnergyMeV t: Double, restricted: Bool) -> Double {
        let table = leptons[lepton == .electron ? 0 : 1]
        return grid.interpolate(restricted ? table.restricted : table.unrestricted, lnEnergy: log(t))
    }

    /// Radiative stopping power, restricted to photons below k_c or not, MeV cm²/g.
    public func radiativeStoppingPower(kineticEnergyMeV t: Double, restricted: Bool) -> Double {
        grid.interpolate(restricted ? radiative.restricted : radiative.total, lnEnergy: log(t))
    }

    /// CSDA range of an electron (unrestricted total stopping power), g/cm².
    public func csdaRangeGPerCM2(kineticEnergyMeV t: Double) -> Double {
        exp(grid.interpolate(lnRange, lnEnergy: log(t)))
    }

    /// δ at kinetic energy T.
    public func densityEffect(kineticEnergyMeV t: Double) -> Double {
        grid.interpolate(densityEffects, lnEnergy: log(t))
    }

    /// Cross section for a hard collision (secondary electron above Δ), cm²/g: Møller for e⁻, Bhabha for e⁺.
    public func hardCollisionCrossSection(_ lepton: Lepton, kineticEnergyMeV t: Double) -> Double {
        let table = leptons[lepton == .electron ? 0 : 1]
        return t > table.thresholdMeV ? max(0, grid.interpolate(table.hard, lnEnergy: log(t))) : 0
    }

    /// Cross section for emitting a bremsstrahlung photon above k_c, cm²/g.
    public func hardBremsstrahlungCrossSection(kineticEnergyMeV t: Double) -> Double {
        t > cuts.radiativeCutMeV ? grid.interpolate(hardBremsstrahlung, lnEnergy: log(t)) : 0
    }
}
