import Foundation
import Testing
import Transport

@Suite struct SpinCorrectionTests {
    /// Closed-form screened Rutherford moments (MultipleScattering's type documentation).
    static func rutherford(_ eta: Double) -> (Double, Double) {
        let b = 2 * eta, l = log((2 + b) / b)
        let t1 = l - 2 / (2 + b)
        return (t1, 3 * t1 - 1.5 * (2 - 2 * b * l + 2 * b / (2 + b)))
    }

    /// With R = 1 (β → 0, no Coulomb term) the numerical moments must equal the closed forms; the
    /// quadrature's own accuracy is < 10⁻⁶ (SpinCorrection's documentation), so 10⁻⁵ is a real bound.
    @Test(arguments: [1e-7, 1e-5, 1e-3, 0.05])
    func reducesToRutherford(eta: Double) {
        let n = SpinCorrection.legendreMoments(screening: eta, atomicNumber: 0, beta2: 0, positron: false)
        let c = Self.rutherford(eta)
        #expect(abs(n.0 / c.0 - 1) < 1e-5 && abs(n.1 / c.1 - 1) < 1e-5, "\(n) vs \(c)")
    }

    /// For vanishing screening the correction to T₁ has a closed form: ∫₀² x·(−β²x/2)/x² dx = −β² and
    /// ∫₀² x·παZβ(√(x/2) − x/2)/x² dx = +παZβ (electrons; − for positrons). At 2η = 2·10⁻⁸ the neglected
    /// terms are O(παZβ·√(2η)) ≈ 10⁻⁴ at Z = 20 (the √x term) and O(η ln η) ≈ 10⁻⁶; allow 5·10⁻⁴.
    @Test(arguments: [(8, false), (8, true), (20, false), (1, true)])
    func firstMomentCorrectionHasTheSmallScreeningLimit(z: Int, positron: Bool) {
        let eta = 1e-8, beta2 = 0.9
        let t1 = SpinCorrection.legendreMoments(screening: eta, atomicNumber: z, beta2: beta2, positron: positron).0
        let coulomb = Double.pi * MultipleScattering.alpha * Double(z) * beta2.squareRoot()
        let expected = Self.rutherford(eta).0 - beta2 + (positron ? -coulomb : coulomb)
        #expect(abs(t1 - expected) < 5e-4, "T₁ \(t1) vs \(expected)")
    }

    /// The McKinley–Feshbach ratio: 1 in the forward direction; at θ = 180° (x = 2) it is 1 − β² for every
    /// Z (sin(θ/2) = 1 kills the Coulomb term), the Born-limit Mott result (Mott 1929).
    @Test func mottRatioLimits() {
        #expect(SpinCorrection.mottRatio(x: 0, atomicNumber: 8, beta2: 0.8, positron: false) == 1)
        #expect(abs(SpinCorrection.mottRatio(x: 2, atomicNumber: 8, beta2: 0.8, positron: true) - 0.2) < 1e-12)
        // At θ = 90° (x = 1, sin(θ/2) = 1/√2) for Z = 6, β = 0.9 (McKinley & Feshbach eq. 7 by hand):
        // 1 − 0.81·0.5 + π·6/137.036·0.9·0.7071·0.2929 = 0.6205.
        let r = SpinCorrection.mottRatio(x: 1, atomicNumber: 6, beta2: 0.81, positron: false)
        #expect(abs(r - 0.6205) < 5e-4, "\(r)")
    }

    /// In water the correction lowers 1/λ₁ (the β² term dominates at low Z), by less at 0.2 MeV where
    /// β² = 0.48, and by more for positrons (their Coulomb term has the other sign). (At high energy the
    /// relative decrease shrinks again: ΔT₁ → −1 + παZ while T₁ grows as ln(1/η).) With the
    /// small-screening estimate (T₁ ≈ 10.5 for oxygen at 1 MeV, β² = 0.886, ΔT₁ = −β² + παZβ ≈ −0.71)
    /// the decrease at 1 MeV is ≈ 7 %; allow 5–9 %.
    @Test func waterTransportPathsDecrease() {
        let water: [(atomicNumber: Int, atomicWeight: Double, massFraction: Double)] = [(1, 1.008, 0.1119), (8, 15.999, 0.8881)]
        func ratio(_ e: Double, positron: Bool) -> Double {
            MultipleScattering.inverseTransportPaths(composition: water, kineticEnergyMeV: e, spin: true, positron: positron).first
                / MultipleScattering.inverseTransportPaths(composition: water, kineticEnergyMeV: e).first
        }
        let r1 = ratio(1, positron: false)
        #expect(r1 > 0.91 && r1 < 0.95, "1 MeV: \(r1)")
        #expect(ratio(0.2, positron: false) > r1)
        #expect(ratio(1, positron: true) < r1)
    }

    /// Exact Mott/Rutherford ratios of a point nucleus (Dirac partial-wave series summed by our own script
    /// `tools/mott_series.py`, which reproduces the Born limit 1 − β² sin²(θ/2) to 10⁻⁵ and is stable to
    /// 10⁻⁴ in the number of partial waves): (Z, β, θ in degrees, positron, exact ratio). No published
    /// table (ELSEPA/ICRU 77, NIST SRD 64, Idoeta & Legarda 1992) was available offline for a direct check.
    static let exactMott: [(Int, Double, Double, Bool, Double)] = [
        (1, 0.94, 90, false, 0.5627), (6, 0.7, 90, false, 0.7777), (6, 0.94, 60, false, 0.8140),
        (8, 0.7, 60, false, 0.9140), (8, 0.7, 150, false, 0.5506), (8, 0.94, 90, false, 0.5985),
        (20, 0.7, 90, false, 0.8555), (20, 0.94, 60, false, 0.9178), (20, 0.94, 150, false, 0.2000),
        (1, 0.7, 90, true, 0.7517), (8, 0.94, 60, true, 0.7401), (8, 0.7, 90, true, 0.7327),
        (20, 0.7, 60, true, 0.8208), (20, 0.94, 90, true, 0.4914),
    ]

    /// McKinley–Feshbach is first order in αZ: it must agree with the exact ratio within the size of the
    /// omitted second-order term, taken as 2(αZ)² (the largest |exact − MF|/(αZ)² in the table is 1.6, at
    /// Z = 20; for oxygen the difference is ≤ 0.005, for hydrogen ≤ 10⁻⁴), plus 10⁻⁴ for the rounding of
    /// the table. Both signs of charge: the sign of the αZ term is checked by the positron rows.
    @Test func mckinleyFeshbachAgreesWithTheExactMottSeries() {
        for (z, beta, theta, positron, exact) in Self.exactMott {
            let x = 1 - cos(theta * Double.pi / 180)
            let r = SpinCorrection.mottRatio(x: x, atomicNumber: z, beta2: beta * beta, positron: positron)
            let az = MultipleScattering.alpha * Double(z)
            #expect(abs(r - exact) <= 2 * az * az + 1e-4, "Z \(z), β \(beta), θ \(theta)°, e\(positron ? "+" : "−"): MF \(r) vs exact \(exact)")
            // The first-order term carries the charge dependence: MF must be closer to the exact ratio
            // than the Born (spin-only) ratio 1 − β² sin²(θ/2) wherever that term is not negligible.
            let born = 1 - beta * beta * x / 2
            if z >= 6 { #expect(abs(r - exact) < abs(born - exact), "Z \(z), θ \(theta)°: MF no better than Born") }
        }
    }
}
