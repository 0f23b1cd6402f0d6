import Foundation

/// The Goudsmit–Saunderson (GS) multiple-scattering distribution of the screened Rutherford cross
/// section, evaluated by its Legendre series (Goudsmit & Saunderson 1940, Phys. Rev. 57:24).
///
/// One collision with the normalised screened Rutherford (Wentzel) distribution
///   p(μ) = 2η(1+η)/(1 − μ + 2η)²,  μ ∈ [−1, 1],
/// has Legendre coefficients ξ_l = ⟨P_l(μ)⟩ and G_l = 1 − ξ_l. With w = 1 + 2η and Q_l the Legendre
/// functions of the second kind, ∫P_l(μ)/(w − μ) dμ = 2Q_l(w), so ξ_l = −4η(1+η) Q′_l(w). After a path with
/// a mean number λ of collisions (Poisson), the angular distribution is
///   F(μ) = Σ_l (l + ½) exp(−λ G_l) P_l(μ).
/// Following Kawrakow & Bielajew (1998, NIM B 134:325) the no-collision and one-collision terms are
/// split off exactly:
///   F = e^{−λ} δ(1 − μ) + λe^{−λ} p(μ) + (1 − e^{−λ}(1 + λ)) F_ms(μ),
/// and the remainder F_ms (two or more collisions) has the coefficients
///   c_l = e^{−λ}(e^{λξ_l} − 1 − λξ_l) = exp(−λG_l) − e^{−λ}(1 + λξ_l),
/// which fall off like ξ_l² instead of ξ_l, so its series converges where the full one does not. The
/// cumulative distribution needs no Legendre polynomial at the point itself: ∫_μ^1 P_l = (P_{l−1}(μ) −
/// P_{l+1}(μ))/(2l + 1) for l ≥ 1.
///
/// This is the build-time side (the tables of `GoudsmitSaundersonTable` and the tests); sampling reads
/// only tables.
public enum GoudsmitSaunderson {
    /// ξ_l = ⟨P_l(μ)⟩ of one screened Rutherford collision with screening `eta`, for l = 0 … `maximumOrder`.
    ///
    /// The forward recurrence of Q_l is unstable for w > 1 (Q_l is the decaying solution, ≈ e^{−lκ} with
    /// κ = acosh w): a rounding error grows like e^{lκ}, so the absolute error of ξ_l is ≈ 10⁻¹⁶ e^{lκ}.
    /// The recurrence stops when that estimate exceeds 10⁻⁶ ξ_l (ξ_l ≲ 10⁻⁵) or when ξ_l < 10⁻¹⁴, and the
    /// remaining ξ_l are 0: they enter the remainder as ξ_l², below 10⁻¹⁰.
    public static func legendreCoefficients(screening eta: Double, maximumOrder: Int) -> [Double] {
        var xi = [Double](repeating: 0, count: maximumOrder + 1)
        forEachCoefficient(screening: eta) { l, value in
            guard l <= maximumOrder else { return false }
            xi[l] = value
            return true
        }
        return xi
    }

    /// Calls `body` with (l, ξ_l) for l = 0, 1, … while it returns true and ξ_l is computed (see
    /// `legendreCoefficients`); after that every ξ_l is 0.
    static func forEachCoefficient(screening eta: Double, _ body: (Int, Double) -> Bool) {
        let w = 1 + 2 * eta
        let norm = 4 * eta * (1 + eta)  // w² − 1
        let growth = w + norm.squareRoot()  // e^κ
        guard body(0, 1) else { return }
        var q0 = 0.5 * log((1 + eta) / eta), dq0 = -1 / norm
        var q1 = w * q0 - 1, dq1 = q0 + w * dq0
        guard body(1, -norm * dq1) else { return }
        var l = 1
        var error = 1e-16 * growth
        while true {
            let dl = Double(l)
            let q2 = ((2 * dl + 1) * w * q1 - dl * q0) / (dl + 1)
            let dq2 = ((2 * dl + 1) * (q1 + w * dq1) - dl * dq0) / (dl + 1)
            let next = -norm * dq2
            error *= growth
            if error > 1e-6 * next || next < 1e-14 { return }
            guard body(l + 1, next) else { return }
            (q0, q1, dq0, dq1) = (q1, q2, dq1, dq2)
            l += 1
        }
    }

    /// G₁ = ⟨1 − μ⟩ of one collision, closed form: 2η(1+η) ln((1+η)/η) − 2η.
    public static func firstMoment(screening eta: Double) -> Double {
        2 * eta * (1 + eta) * MultipleScattering.legendreMoments(screening: eta).0
    }

    /// G₂ = ⟨1 − P₂(μ)⟩ of one collision, closed form (`MultipleScattering.legendreMoments`).
    public static func secondMoment(screening eta: Double) -> Double {
        2 * eta * (1 + eta) * MultipleScattering.legendreMoments(screening: eta).1
    }

    /// The screening η whose single-collision G₁ is `g1` (0 < g1 < 1), by bisection in ln η; η is capped
    /// at 10³ (an almost isotropic collision, G₁ ≈ 1 − 1/(3η)).
    public static func screening(firstMoment g1: Double) -> Double {
        var lo = log(1e-16), hi = log(1e3)
        if firstMoment(screening: exp(hi)) <= g1 { return exp(hi) }
        for _ in 0..<100 {
            let mid = 0.5 * (lo + hi)
            if firstMoment(screening: exp(mid)) < g1 { lo = mid } else { hi = mid }
        }
        return exp(0.5 * (lo + hi))
    }

    /// e^{−λ}(e^{y} − 1 − y) for y = λξ without cancellation.
    static func remainderCoefficient(lambda: Double, xi: Double) -> Double {
        if lambda > 30 { return exp(-lambda * (1 - xi)) - exp(-lambda) * (1 + lambda * xi) }
        let y = lambda * xi
        let phi: Double
        if abs(y) < 0.1 {
            // Taylor series of e^y − 1 − y to y⁸ (relative error < 10⁻¹⁰ for |y| < 0.1).
            var term = y * y / 2, sum = 0.0
            for k in 3...9 {
                sum += term
                term *= y / Double(k)
            }
            phi = sum
        } else {
            phi = expm1(y) - y
        }
        return exp(-lambda) * phi
    }

    /// The remainder coefficients c_l (two or more collisions) for `lambda` collisions on average,
    /// truncated after the last l with c_l ≥ 10⁻¹² c₀ (c_l falls monotonically with l).
    public static func remainderCoefficients(lambda: Double, screening eta: Double, maximumOrder: Int = 100_000) -> [Double] {
        var c = [Double]()
        c.reserveCapacity(256)
        forEachCoefficient(screening: eta) { l, xi in
            let v = remainderCoefficient(lambda: lambda, xi: xi)
            if l > maximumOrder || (l > 0 && abs(v) < 1e-12 * c[0]) { return false }
            c.append(v)
            return true
        }
        return c
    }

    /// The remainder's cumulative probability P(1 − μ ≤ xᵢ), unnormalised (it tends to c₀ at x = 2),
    /// at each of `x` (ascending or not), from the coefficients `c`.
    public static func remainderCumulative(coefficients c: [Double], at x: [Double]) -> [Double] {
        let n = x.count
        let mu = x.map { 1 - $0 }
        var sum = mu.map { 0.5 * c[0] * (1 - $0) }
        guard c.count > 1 else { return sum }
        // P_{l−1}, P_l and P_{l+1} at every point, rotated through one buffer (the table build spends its
        // time here: ≈ 3·10⁵ orders × 241 points).
        var work = [Double](repeating: 1, count: 3 * n)
        for k in 0..<n { work[n + k] = mu[k] }
        mu.withUnsafeBufferPointer { m in
            sum.withUnsafeMutableBufferPointer { out in
                work.withUnsafeMutableBufferPointer { w in
                    var prev = 0, cur = n, next = 2 * n
                    for l in 1..<c.count {
                        let dl = Double(l)
                        let a = (2 * dl + 1) / (dl + 1), b = dl / (dl + 1)
                        let half = 0.5 * c[l]
                        for k in 0..<n {
                            let p = a * m[k] * w[cur + k] - b * w[prev + k]
                            w[next + k] = p
                            out[k] += half * (w[prev + k] - p)
                        }
                        (prev, cur, next) = (cur, next, prev)
                    }
                }
            }
        }
        return sum
    }

    /// The whole GS cumulative distribution P(1 − μ ≤ x) after `lambda` collisions on average with
    /// screening `eta`: no collision, one collision (closed form (1+η)x/(x + 2η)) and the remainder.
    public static func cumulative(lambda: Double, screening eta: Double, at x: [Double]) -> [Double] {
        let c = remainderCoefficients(lambda: lambda, screening: eta)
        let rest = remainderCumulative(coefficients: c, at: x)
        let p0 = exp(-lambda)
        return zip(x, rest).map { xi, r in
            min(1, max(0, p0 + lambda * p0 * (1 + eta) * xi / (xi + 2 * eta) + r))
        }
    }
}
