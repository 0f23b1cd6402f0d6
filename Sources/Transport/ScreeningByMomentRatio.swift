import Foundation

/// The screening η (and G₁(η)) of the screened Rutherford cross section with a given ratio G₂/G₁,
/// tabulated against v = 1/(3 − G₂/G₁), which is close to linear in ln η (for small η, G₂/G₁ ≈ 3 − 3/T₁
/// with T₁ ≈ ln(1/η) − 1), for η from 10⁻¹⁴ to 10³.
struct ScreeningByMomentRatio: Sendable {
    static let count = 4096
    let vMin: Double, vMax: Double
    let lnEta: [Double]
    let lnG1: [Double]

    init() {
        // v(η) on a fine ln η grid (decreasing in η), then inverted onto a uniform v grid.
        let fine = 16_384
        let lnLo = log(1e-14), lnHi = log(1e3)
        let lnEtas = (0..<fine).map { lnLo + (lnHi - lnLo) * Double($0) / Double(fine - 1) }
        let v = lnEtas.map { le -> Double in
            let eta = exp(le)
            return 1 / (3 - GoudsmitSaunderson.secondMoment(screening: eta) / GoudsmitSaunderson.firstMoment(screening: eta))
        }
        vMin = v[fine - 1]
        vMax = v[0]
        var le = [Double](), lg = [Double]()
        var k = fine - 1
        for m in 0..<Self.count {
            let target = vMin + (vMax - vMin) * Double(m) / Double(Self.count - 1)
            while k > 1 && v[k - 1] <= target { k -= 1 }
            // v[k] ≤ target ≤ v[k − 1].
            let w = (target - v[k]) / max(v[k - 1] - v[k], 1e-300)
            let x = lnEtas[k] + w * (lnEtas[k - 1] - lnEtas[k])
            le.append(x)
            lg.append(log(GoudsmitSaunderson.firstMoment(screening: exp(x))))
        }
        lnEta = le
        lnG1 = lg
    }

    /// ln η and ln G₁(η) for the ratio G₂/G₁ = `momentRatio` (clamped to the table).
    @inline(__always)
    func screening(momentRatio: Double) -> (lnEta: Double, lnG1: Double) {
        let v = momentRatio < 3 ? 1 / (3 - momentRatio) : vMax
        let f = min(max((v - vMin) / (vMax - vMin), 0), 1) * Double(Self.count - 1)
        let i = min(Int(f), Self.count - 2)
        let w = f - Double(i)
        return (lnEta[i] + w * (lnEta[i + 1] - lnEta[i]), lnG1[i] + w * (lnG1[i + 1] - lnG1[i]))
    }
}
