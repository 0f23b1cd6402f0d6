import Foundation

/// Spin (Mott) correction of the screened Rutherford elastic cross section, folded into the transport
/// moments T₁, T₂ (EGSnrc's `Spin effects= On`, the setting of the reference runs).
///
/// The Rutherford cross section ignores the electron's spin. To first order in αZ the Mott cross
/// section is Rutherford's times the McKinley–Feshbach ratio (McKinley & Feshbach 1948, Phys. Rev.
/// 74:1759, eq. 7):
///   R(θ) = 1 − β² sin²(θ/2) ± π αZ β sin(θ/2) (1 − sin(θ/2)),
/// + for electrons, − for positrons (the sign of the charge product). Its β² term is the exact Born
/// (Z → 0) result (Mott 1929). With x = 1 − μ, sin²(θ/2) = x/2, the screened moments become
///   T_l = ∫₀² f_l(x) R(x) / (x + 2η)² dx,  f₁ = x, f₂ = 3x − 3x²/2 (= 1 − P₂(μ)),
/// integrated numerically at table-build time (Simpson's rule in y = ln(x + 2η), where the integrand is
/// smooth; 128 intervals give < 10⁻⁶ relative against adaptive quadrature for 2η from 10⁻⁷ to 0.1).
///
/// The nuclear part Z² of the Z(Z+1) weight gets the full ratio with the nuclear charge; the atomic
/// electrons' part Z only the β² (magnetic) term, their αZ term being of order α.
///
/// Validity: first order in αZ, so the αZ² terms it drops are below 2 % of the correction for Z ≤ 20
/// (αZ ≤ 0.15; calcium, the heaviest element with a relevant mass fraction in tissue and bone); for
/// high-Z media (Z ≳ 30) the ratio is qualitatively right but not accurate at large angles, where
/// partial-wave tables would be needed. The screening (Molière's η) is not changed.
public enum SpinCorrection {
    /// The McKinley–Feshbach ratio Mott/Rutherford at x = 1 − cos θ for charge number `z` of the target
    /// (0 for the magnetic term alone) and β² of the projectile; `positron` flips the αZ term.
    public static func mottRatio(x: Double, atomicNumber z: Int, beta2: Double, positron: Bool) -> Double {
        let s = (0.5 * x).squareRoot()
        let coulomb = Double.pi * MultipleScattering.alpha * Double(z) * beta2.squareRoot() * s * (1 - s)
        return 1 - beta2 * s * s + (positron ? -coulomb : coulomb)
    }

    /// Spin-corrected T₁, T₂ for screening η (see the type's documentation for the target charge).
    public static func legendreMoments(screening eta: Double, atomicNumber z: Int, beta2: Double,
                                       positron: Bool) -> (Double, Double) {
        let b = 2 * eta
        let y0 = log(b), y1 = log(2 + b)
        let n = 128
        let h = (y1 - y0) / Double(n)
        var t1 = 0.0, t2 = 0.0
        for k in 0...n {
            let y = y0 + Double(k) * h
            let w = exp(y)
            let x = max(w - b, 0)
            // dx/(x+b)² = e^{−y} dy.
            let common = mottRatio(x: x, atomicNumber: z, beta2: beta2, positron: positron) / w
            let simpson = k == 0 || k == n ? 1.0 : (k % 2 == 1 ? 4.0 : 2.0)
            t1 += simpson * x * common
            t2 += simpson * (3 * x - 1.5 * x * x) * common
        }
        return (t1 * h / 3, t2 * h / 3)
    }
}
