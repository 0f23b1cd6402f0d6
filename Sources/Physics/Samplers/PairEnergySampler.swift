import Foundation

/// The outcome of a pair production.
public struct PairSample: Sendable, Hashable {
    /// Electron kinetic energy, MeV.
    public var electronEnergyMeV: Double
    /// Positron kinetic energy, MeV.
    public var positronEnergyMeV: Double

    /// Creates a sample.
    public init(electronEnergyMeV: Double, positronEnergyMeV: Double) {
        self.electronEnergyMeV = electronEnergyMeV
        self.positronEnergyMeV = positronEnergyMeV
    }
}

/// Samples how a pair shares the photon's energy, from the extreme-relativistic Bethe–Heitler cross
/// section with Tsai's Thomas–Fermi screening (Tsai 1974, RMP 46:815, eqs. 3.38–3.40), summed over the
/// material's elements with weights nᵢ Zᵢ(Zᵢ+1) (nucleus plus electrons, as EGSnrc's pair option BH).
///
/// With ε = E₊/k (total energies, k the photon energy) in [mc²/k, 1 − mc²/k]:
/// dσ/dε ∝ (ε² + (1−ε)²)(Φ₁(γ) − 4/3 ln Z) + (2/3) ε(1−ε)(Φ₂(γ) − 4/3 ln Z), γ = 100 mc²/(k ε(1−ε) Z^⅓),
/// clamped at zero. Below 2.1 MeV the form is not valid and the split is uniform, as in EGS4 (Nelson,
/// Hirayama & Rogers 1985, SLAC-265 §2.7). The Coulomb correction is left out: EGSnrc applies it
/// above 50 MeV only, beyond these tables. Consumes two uniforms per call.
public struct PairEnergySampler: Sendable {
    /// The tabulated densities of the normalised variable s = (ε − ε_min)/(1 − 2 ε_min).
    public let table: TabulatedEnergyDensity
    /// Below this photon energy the split is uniform (MeV).
    public static let uniformBelowMeV = 2.1

    /// Builds the table for a material on 1.022–25 MeV.
    public init(material: Material, nodes: Int = 97, points: Int = 129) {
        let m = CollisionStoppingPower.electronMassMeV
        let grid = EnergyGrid(lnMinMeV: log(2 * m * (1 + 1e-9)), lnMaxMeV: log(25.0), count: nodes)
        let weights = Self.elementWeights(material)
        let s = (0..<points).map { Double($0) / Double(points - 1) }
        table = TabulatedEnergyDensity(grid: grid) { energy in
            let epsMin = m / energy
            return PiecewiseLinearDensity(
                x: s,
                values: s.map { si in
                    Self.density(epsilon: epsMin + si * (1 - 2 * epsMin), photonEnergyMeV: energy, elements: weights)
                })
        }
    }

    /// (Z, nᵢ Zᵢ(Zᵢ+1)) per element of the material.
    public static func elementWeights(_ material: Material) -> [(z: Double, weight: Double)] {
        material.elements.map { el in
            let z = Double(el.atomicNumber)
            return (z, el.massFraction / el.atomicWeight * z * (z + 1))
        }
    }

    /// dσ/dε up to a constant, for ε = E₊/k.
    public static func density(epsilon eps: Double, photonEnergyMeV k: Double, elements: [(z: Double, weight: Double)])
        -> Double
    {
        if k < uniformBelowMeV { return 1 }
        let m = CollisionStoppingPower.electronMassMeV
        let a = eps * eps + (1 - eps) * (1 - eps)
        let b = (2.0 / 3.0) * eps * (1 - eps)
        var sum = 0.0
        for (z, weight) in elements {
            let gamma = 100 * m / (k * eps * (1 - eps) * cbrt(z))
            let x = 0.55846 * gamma
            let phi1 = 20.863 - 2 * log(1 + x * x) - 4 * (1 - 0.6 * exp(-0.9 * gamma) - 0.4 * exp(-1.5 * gamma))
            let phi2 = phi1 - (2.0 / 3.0) / (1 + 6.5 * gamma + 6 * gamma * gamma)
            let lnZ = (4.0 / 3.0) * log(z)
            sum += weight * max(0, a * (phi1 - lnZ) + b * (phi2 - lnZ))
        }
        return sum
    }

    /// Samples the electron and positron kinetic energies for a photon of `energyMeV` (> 2mc²).
    @inlinable public func sample<R: UniformRandomSource>(energyMeV: Double, random: inout R) -> PairSample {
        let m = CollisionStoppingPower.electronMassMeV
        let s = table.sample(lnEnergy: log(energyMeV), random: &random)
        let available = max(energyMeV - 2 * m, 0)
        let positron = s * available
        return PairSample(electronEnergyMeV: available - positron, positronEnergyMeV: positron)
    }
}
