import Foundation
import Physics
import Transport

/// A spectrum's penetration in water, computed without transport: the ratio of the energy released per
/// unit mass by primary photons (TERMA, Σ φ(E)·E·μ(E)·e^{−μ(E)d}) at `depthCM` to that at
/// `referenceDepthCM`, on a broad parallel beam (no inverse square).
///
/// It is what makes commissioning a spectrum cheap: the Monte Carlo depth dose of a 10×10 field beyond
/// d_max follows the primary attenuation closely, so two spectra with equal `primaryRatio` have nearly
/// equal PDD(10); the ratio rises smoothly with the filtration, so the filter can be solved for exactly and the
/// Monte Carlo only has to confirm (docs/beam-model.md, "Commissioning").
public struct BeamQuality: Sendable {
    let water: PhotonCrossSections

    /// Uses the water cross sections of `physics`.
    public init(physics: PhysicsData) throws {
        water = physics.photonCrossSections(for: try physics.material(named: "WATER"))
    }

    /// TERMA at `depthCM` over TERMA at `referenceDepthCM` for `spectrum` (bins at their mid energies).
    public func primaryRatio(_ spectrum: PhotonSpectrum, depthCM: Double = 10, referenceDepthCM: Double = 1.5) throws -> Double {
        var at = 0.0, reference = 0.0
        for b in spectrum.probabilities.indices where spectrum.probabilities[b] > 0 {
            let e = 0.5 * (spectrum.edgesMeV[b] + spectrum.edgesMeV[b + 1])
            let mu = try water.coefficients(energyMeV: e).total
            let released = spectrum.probabilities[b] * e * mu
            at += released * exp(-mu * depthCM)
            reference += released * exp(-mu * referenceDepthCM)
        }
        guard reference > 0 else { throw BeamError.badMachine("spectrum '\(spectrum.title)' releases no energy in water") }
        return at / reference
    }

    /// The central-axis (innermost ring) primary ratio of a machine's generated spectrum.
    public func primaryRatio(of machine: MachineModel, physics: PhysicsData) throws -> Double {
        try primaryRatio(SourceModel(machine: machine, physics: physics).ringSpectra[0])
    }

    /// The central filter mass thickness (g/cm²) in `range` that gives `machine`'s central spectrum the
    /// primary ratio `target`, by bisection (more filter, a harder beam); the edge thickness moves with it so
    /// that the off-axis softening (centre minus edge) stays as it was. Returns the machine with that filter.
    /// With `clampingToRange`, a target beyond what `range` reaches gives the nearer end of `range` instead.
    /// - Throws: `BeamError.badMachine` if no thickness in `range` reaches `target` (and not clamping).
    public func withFilter(_ machine: MachineModel, primaryRatio target: Double, physics: PhysicsData,
                           range: ClosedRange<Double> = 0...150, clampingToRange: Bool = false) throws -> MachineModel {
        let drop = machine.spectrum.filterCentralGPerCM2 - machine.spectrum.filterEdgeGPerCM2
        func filtered(_ t: Double) -> MachineModel {
            var m = machine
            m.spectrum.filterCentralGPerCM2 = t
            m.spectrum.filterEdgeGPerCM2 = max(t - drop, 0)
            return m
        }
        var lo = range.lowerBound, hi = range.upperBound
        let rLo = try primaryRatio(of: filtered(lo), physics: physics), rHi = try primaryRatio(of: filtered(hi), physics: physics)
        if clampingToRange && (rLo - target) * (rHi - target) > 0 {
            return filtered(abs(rLo - target) < abs(rHi - target) ? lo : hi)
        }
        guard (rLo - target) * (rHi - target) <= 0 else {
            throw BeamError.badMachine(
                "machine '\(machine.name)': no filter of \(lo)…\(hi) g/cm² gives primary ratio \(target) "
                    + "(\(rLo)…\(rHi)); change the electron energy")
        }
        for _ in 0..<40 {
            let mid = 0.5 * (lo + hi)
            if try primaryRatio(of: filtered(mid), physics: physics) < target { lo = mid } else { hi = mid }
        }
        return filtered(0.5 * (lo + hi))
    }
}
