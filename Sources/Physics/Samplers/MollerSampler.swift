import Foundation

/// Samples the energy transfer of a hard electron–electron (Møller 1932, Ann. Phys. 14:531) or
/// positron–electron (Bhabha 1936, Proc. R. Soc. A 154:195) collision above the cut Δ.
///
/// With ε = W/T the fraction given to the secondary electron (ε ∈ [Δ/T, ½] for e⁻, the two electrons
/// being indistinguishable; [Δ/T, 1] for e⁺), per electron:
/// * Møller: dσ/dε = (2π r₀² mc²/(β² T)) [1/ε² + 1/(1−ε)² + (τ/(τ+1))² − (2τ+1)/(τ+1)² /(ε(1−ε))];
/// * Bhabha: dσ/dε = (2π r₀² mc²/(β² T)) (1/ε²) [1 − b₁ε + b₂ε² − b₃ε³ + b₄ε⁴] with the bᵢ of
///   Salvat et al., PENELOPE-2014 manual eq. 3.82 (equivalently EGS4's B1–B4).
///
/// The table variable is s = ln(ε/ε_c)/ln(ε_max/ε_c), whose density ε·dσ/dε is smooth. Consumes two
/// uniforms per call.
public struct MollerSampler: Sendable {
    /// Electron (Møller) or positron (Bhabha).
    public let lepton: Lepton
    /// The cut Δ in MeV.
    public let cutMeV: Double
    /// The tabulated densities of s; nodes at or below threshold hold a uniform placeholder.
    public let table: TabulatedEnergyDensity

    /// Builds the table for cut Δ on kinetic energies from the threshold (2Δ for e⁻, Δ for e⁺) to 25 MeV.
    public init(lepton: Lepton, cutMeV: Double, nodes: Int = 97, points: Int = 129) {
        self.lepton = lepton
        self.cutMeV = cutMeV
        let threshold = lepton == .electron ? 2 * cutMeV : cutMeV
        let grid = EnergyGrid(lnMinMeV: log(threshold), lnMaxMeV: log(25.0), count: nodes)
        let s = (0..<points).map { Double($0) / Double(points - 1) }
        table = TabulatedEnergyDensity(grid: grid) { energy in
            let epsC = cutMeV / energy
            let epsMax = lepton == .electron ? 0.5 : 1.0
            let span = log(epsMax / epsC)
            return PiecewiseLinearDensity(
                x: s,
                values: s.map { si in
                    let eps = epsC * exp(span * si)
                    return eps * Self.shape(lepton, epsilon: eps, kineticEnergyMeV: energy)
                })
        }
    }

    /// The square bracket of dσ/dε above (dσ/dε without the factor 2π r₀² mc²/(β² T)).
    public static func shape(_ lepton: Lepton, epsilon eps: Double, kineticEnergyMeV: Double) -> Double {
        let tau = kineticEnergyMeV / CollisionStoppingPower.electronMassMeV
        let gamma = tau + 1
        switch lepton {
        case .electron:
            let g = tau / gamma
            return 1 / (eps * eps) + 1 / ((1 - eps) * (1 - eps)) + g * g
                - (2 * tau + 1) / (gamma * gamma) / (eps * (1 - eps))
        case .positron:
            let b = bhabhaCoefficients(gamma: gamma)
            return (1 - eps * (b.0 - eps * (b.1 - eps * (b.2 - eps * b.3)))) / (eps * eps)
        }
    }

    /// b₁…b₄ of the Bhabha cross section (PENELOPE-2014 manual eq. 3.82).
    public static func bhabhaCoefficients(gamma: Double) -> (Double, Double, Double, Double) {
        let g = (gamma - 1) / gamma
        let g2 = g * g
        let gp1 = gamma + 1
        return (
            g2 * (2 * gp1 * gp1 - 1) / (gamma * gamma - 1), g2 * (3 * gp1 * gp1 + 1) / (gp1 * gp1),
            g2 * 2 * gamma * (gamma - 1) / (gp1 * gp1), g2 * (gamma - 1) * (gamma - 1) / (gp1 * gp1)
        )
    }

    /// ∫ shape dε from ε_c = Δ/T to ε_max (closed form); 0 below threshold.
    public static func integratedShape(_ lepton: Lepton, cutMeV: Double, kineticEnergyMeV: Double) -> Double {
        let epsC = cutMeV / kineticEnergyMeV
        let tau = kineticEnergyMeV / CollisionStoppingPower.electronMassMeV
        let gamma = tau + 1
        switch lepton {
        case .electron:
            guard epsC < 0.5 else { return 0 }
            let g = tau / gamma
            return 1 / epsC - 1 / (1 - epsC) + g * g * (0.5 - epsC)
                - (2 * tau + 1) / (gamma * gamma) * log((1 - epsC) / epsC)
        case .positron:
            guard epsC < 1 else { return 0 }
            let b = bhabhaCoefficients(gamma: gamma)
            return (1 / epsC - 1) + b.0 * log(epsC) + b.1 * (1 - epsC) - b.2 * (1 - epsC * epsC) / 2
                + b.3 * (1 - epsC * epsC * epsC) / 3
        }
    }

    /// Samples the kinetic energy W (MeV) given to the secondary electron by a lepton of kinetic energy
    /// `kineticEnergyMeV`, which must exceed the threshold (2Δ for e⁻, Δ for e⁺).
    @inlinable public func sampleEnergyTransfer<R: UniformRandomSource>(kineticEnergyMeV: Double, random: inout R)
        -> Double
    {
        let s = table.sample(lnEnergy: log(kineticEnergyMeV), random: &random)
        let epsC = cutMeV / kineticEnergyMeV
        let epsMax = lepton == .electron ? 0.5 : 1.0
        return min(epsC * exp(log(epsMax / epsC) * s), epsMax) * kineticEnergyMeV
    }
}
