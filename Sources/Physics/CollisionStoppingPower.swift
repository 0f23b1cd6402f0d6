import Foundation

/// Bethe collision stopping power with Møller (e⁻) or Bhabha (e⁺) close collisions, restricted to
/// energy transfers below a cut, in the ICRU Report 37 (1984) form (PHYSICS.md §2.1):
///
///   L/ρ = 2π r₀² mc² N_A (Z/A) β⁻² [ ln(2(τ+2)/(I/mc²)²) + F^±(τ, Δ) − δ ],
///
/// τ = T/mc², Δ the cut in mc² units (≤ τ/2 for e⁻, ≤ τ for e⁺). The unrestricted value is Δ = τ/2
/// (e⁻) or Δ = τ (e⁺).
public enum CollisionStoppingPower {
    /// Electron rest energy mc² in MeV (CODATA 2018).
    public static let electronMassMeV = 0.510_998_950_00
    /// Classical electron radius r₀ in cm (CODATA 2018).
    public static let classicalElectronRadiusCM = 2.817_940_326_2e-13
    /// Avogadro's number (exact, SI 2019).
    public static let avogadro = 6.022_140_76e23
    /// 2π r₀² mc² N_A in MeV cm²/mol: multiplies (Z/A) β⁻² [...] to give MeV cm²/g.
    public static let prefactor =
        2 * Double.pi * classicalElectronRadiusCM * classicalElectronRadiusCM
        * electronMassMeV * avogadro

    /// Mass collision stopping power in MeV cm²/g.
    /// - Parameters:
    ///   - lepton: electron (Møller) or positron (Bhabha).
    ///   - kineticEnergyMeV: T.
    ///   - cutMeV: Δ, the largest energy transfer counted; `nil` or a value above the kinematic
    ///     maximum (T/2 for e⁻, T for e⁺) gives the unrestricted stopping power.
    ///   - meanExcitationEnergyEV: I.
    ///   - electronMolesPerGram: Σ wᵢ Zᵢ/Aᵢ.
    ///   - densityEffect: δ at this energy.
    public static func massStoppingPower(
        _ lepton: Lepton, kineticEnergyMeV: Double, cutMeV: Double?, meanExcitationEnergyEV: Double,
        electronMolesPerGram: Double, densityEffect: Double
    ) -> Double {
        let tau = kineticEnergyMeV / electronMassMeV
        let gamma = tau + 1
        let beta2 = 1 - 1 / (gamma * gamma)
        let iOverMc2 = meanExcitationEnergyEV * 1e-6 / electronMassMeV
        let maximum = lepton == .electron ? tau / 2 : tau
        let delta = min((cutMeV ?? .infinity) / electronMassMeV, maximum)
        let f: Double
        switch lepton {
        case .electron:
            // F⁻ (ICRU 37 eq. 5.6 restricted form).
            f =
                -1 - beta2 + log((tau - delta) * delta) + tau / (tau - delta)
                + (delta * delta / 2 + (2 * tau + 1) * log(1 - delta / tau)) / (gamma * gamma)
        case .positron:
            // F⁺ from the Bhabha cross section, y = 1/(τ+2).
            let y = 1 / (tau + 2)
            let d2 = delta * delta, d3 = d2 * delta, d4 = d3 * delta
            f =
                log(tau * delta) - beta2 / tau
                * (tau + 2 * delta - 1.5 * d2 * y - (delta - d3 / 3) * y * y
                    - (d2 / 2 - tau * d3 / 3 + d4 / 4) * y * y * y)
        }
        let bracket = log(2 * (tau + 2) / (iOverMc2 * iOverMc2)) + f - densityEffect
        return prefactor * electronMolesPerGram / beta2 * bracket
    }
}
