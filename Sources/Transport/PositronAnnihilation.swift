import Foundation

/// Two-photon annihilation of a positron in flight on a free electron at rest (Heitler 1954, *The Quantum
/// Theory of Radiation*, 3rd ed., §29; the process EGSnrc samples as a hard positron event, PHYSICS.md
/// §2.6).
///
/// With γ the positron's total energy in units of mc², τ = γ − 1 its kinetic energy and ε = k/(T + 2mc²)
/// the fraction of the available energy taken by one photon, the cross section per electron is
///   dσ/dε = (π r₀² / τ) · S(ε),   S(ε) = [1 − ε + (2γε − 1) / (ε (γ + 1)²)] / ε,
/// on ε ∈ [ε₋, ε₊], ε± = ½ ± ½ √(τ / (τ + 2)), and the other photon takes 1 − ε. Integrated:
///   σ = π r₀² / (γ + 1) · [ (γ² + 4γ + 1)/(γ² − 1) · ln(γ + √(γ² − 1)) − (γ + 3)/√(γ² − 1) ].
/// Energy and momentum conservation fix each photon's angle to the positron's direction:
///   cos θ = (γ + 1 − 1/ε) / √(γ² − 1).
/// Sampling: ε from 1/ε on [ε₋, ε₊] (inversion), accepted with probability
/// g(ε) = 1 − ε + (2γε − 1)/(ε(γ + 1)²) ≤ 1; the efficiency is above 50 % at every energy.
public enum PositronAnnihilation {
    /// Annihilation-in-flight cross section per electron, cm², for a positron of kinetic energy `T`.
    public static func crossSectionPerElectronCM2(kineticEnergyMeV t: Double) -> Double {
        let gamma = t / MultipleScattering.electronMassMeV + 1
        let g2m1 = gamma * gamma - 1
        guard g2m1 > 1e-12 else { return 0 }
        let root = g2m1.squareRoot()
        let r0 = MultipleScattering.r0CM
        return Double.pi * r0 * r0 / (gamma + 1)
            * ((gamma * gamma + 4 * gamma + 1) / g2m1 * log(gamma + root) - (gamma + 3) / root)
    }

    /// Samples the two photons' energies (MeV) and their polar angles to the positron's direction.
    /// The first photon is the one whose fraction ε was sampled; the two share T + 2mc².
    public static func sample(kineticEnergyMeV t: Double, rng: inout RandomStream)
        -> (first: (energyMeV: Double, cosTheta: Double), second: (energyMeV: Double, cosTheta: Double)) {
        let m = MultipleScattering.electronMassMeV
        let tau = max(t / m, 1e-9)
        let gamma = tau + 1
        let half = 0.5 * (tau / (tau + 2)).squareRoot()
        let lo = 0.5 - half, hi = 0.5 + half
        let lnRatio = log(hi / lo)
        var eps: Double
        repeat {
            eps = lo * exp(lnRatio * rng.uniform())
        } while rng.uniform() > 1 - eps + (2 * gamma * eps - 1) / (eps * (gamma + 1) * (gamma + 1))
        let available = t + 2 * m
        let p = (gamma * gamma - 1).squareRoot()
        func cosine(_ e: Double) -> Double { min(max((gamma + 1 - 1 / e) / p, -1), 1) }
        return ((eps * available, cosine(eps)), ((1 - eps) * available, cosine(1 - eps)))
    }
}
