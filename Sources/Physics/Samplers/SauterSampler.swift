import Foundation

/// Samples the direction of a K-shell photo-electron relative to the photon from Sauter's (1931, Ann.
/// Phys. 11:454) distribution, as EGSnrc (`Photoelectron angular sampling= On`) and PENELOPE do:
///
///   dσ/dΩ ∝ sin²θ / (1 − β cos θ)⁴ · [1 + ½ γ(γ−1)(γ−2)(1 − β cos θ)].
///
/// The table variable is v = 1 − cos θ ∈ [0, 2] on points crowded towards the forward peak at
/// v ≈ 1 − β. Consumes two uniforms per call.
public struct SauterSampler: Sendable {
    /// The tabulated densities of v at each electron kinetic energy.
    public let table: TabulatedEnergyDensity

    /// Builds the table on electron kinetic energies 1 keV–25 MeV.
    public init(
        grid: EnergyGrid = EnergyGrid(lnMinMeV: log(1e-3), lnMaxMeV: log(25.0), count: 97), points: Int = 241
    ) {
        table = TabulatedEnergyDensity(grid: grid) { energy in
            let gamma = 1 + energy / CollisionStoppingPower.electronMassMeV
            let beta = (1 - 1 / (gamma * gamma)).squareRoot()
            let lowest = 1e-3 * (1 - beta)
            let step = log(2 / lowest) / Double(points - 2)
            let v = [0.0] + (0..<(points - 1)).map { lowest * exp(step * Double($0)) }
            return PiecewiseLinearDensity(x: v, values: v.map { Self.density(v: $0, gamma: gamma, beta: beta) })
        }
    }

    /// The density in v = 1 − cos θ (equal to that in cos θ), up to a constant.
    public static func density(v: Double, gamma: Double, beta: Double) -> Double {
        let mu = 1 - v
        let a = 1 - beta * mu
        return max(0, v * (2 - v)) / (a * a * a * a) * (1 + 0.5 * gamma * (gamma - 1) * (gamma - 2) * a)
    }

    /// Samples cos θ for a photo-electron of kinetic energy `kineticEnergyMeV`.
    @inlinable public func sampleCosTheta<R: UniformRandomSource>(kineticEnergyMeV: Double, random: inout R)
        -> Double
    {
        1 - table.sample(lnEnergy: log(kineticEnergyMeV), random: &random)
    }
}
