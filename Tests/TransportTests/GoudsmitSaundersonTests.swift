import Foundation
import Testing
import Transport

@Suite struct GoudsmitSaundersonTests {
    static let table = GoudsmitSaundersonTable.shared

    typealias Composition = [(atomicNumber: Int, atomicWeight: Double, massFraction: Double)]
    static let water: Composition = [(1, 1.008, 0.1119), (8, 15.999, 0.8881)]
    /// ICRU compact bone by mass (ICRU 37 composition, rounded).
    static let bone: Composition = [(1, 1.008, 0.0641), (6, 12.011, 0.2780), (7, 14.007, 0.0270), (8, 15.999, 0.4100),
                                    (12, 24.305, 0.0020), (15, 30.974, 0.0700), (16, 32.06, 0.0020), (20, 40.078, 0.1470)]
    static let lead: Composition = [(82, 207.2, 1.0)]

    /// Legendre polynomials P₀…P_n at μ.
    static func legendre(_ n: Int, _ mu: Double) -> [Double] {
        var p = [1.0, mu]
        for l in 1..<max(n, 1) { p.append((Double(2 * l + 1) * mu * p[l] - Double(l) * p[l - 1]) / Double(l + 1)) }
        return Array(p.prefix(n + 1))
    }

    /// ξ_l from the Q′_l recurrence against the closed forms of G₁, G₂ and, for higher l, against direct
    /// quadrature of ∫ p(μ)P_l(μ)dμ (Simpson in y = ln(x + 2η), 6 000 intervals: < 10⁻⁹ for these l).
    @Test(arguments: [1e-9, 1e-6, 1e-3, 0.05, 2.0])
    func legendreCoefficientsMatchClosedFormsAndQuadrature(eta: Double) {
        let xi = GoudsmitSaunderson.legendreCoefficients(screening: eta, maximumOrder: 40)
        let g1 = GoudsmitSaunderson.firstMoment(screening: eta), g2 = GoudsmitSaunderson.secondMoment(screening: eta)
        // Cancellation in 1 − ξ₁ costs ≈ 10⁻¹⁵/G₁ relative: 10⁻⁷ at η = 10⁻⁹ (G₁ ≈ 4·10⁻⁸).
        #expect(abs((1 - xi[1]) / g1 - 1) < 1e-6, "G₁ \(1 - xi[1]) vs \(g1)")
        #expect(abs((1 - xi[2]) / g2 - 1) < 1e-6, "G₂ \(1 - xi[2]) vs \(g2)")
        let b = 2 * eta, n = 6_000
        let y0 = log(b), y1 = log(2 + b), h = (y1 - y0) / Double(n)
        var q = [Double](repeating: 0, count: 41)
        for k in 0...n {
            let w = exp(y0 + Double(k) * h)
            let x = max(w - b, 0)
            let simpson = k == 0 || k == n ? 1.0 : (k % 2 == 1 ? 4.0 : 2.0)
            // p(μ)dμ = 2η(1+η) dx/(x+2η)² = 2η(1+η) e^{−y} dy.
            let weight = simpson * h / 3 * 2 * eta * (1 + eta) / w
            for (l, p) in Self.legendre(40, 1 - x).enumerated() { q[l] += weight * p }
        }
        for l in [3, 10, 25, 40] {
            // A coefficient the recurrence left at 0 (its rounding error would exceed 10⁻⁶ of it) is < 10⁻⁵.
            let ok = xi[l] == 0 ? abs(q[l]) < 1e-5 : abs(xi[l] - q[l]) < 1e-8
            #expect(ok, "l = \(l): ξ \(xi[l]) vs quadrature \(q[l])")
        }
    }

    /// The screening η of the screened Rutherford cross section with G₂/G₁ = `ratio` (bisection).
    static func screening(ratio: Double) -> Double {
        var lo = log(1e-14), hi = log(1e3)
        for _ in 0..<100 {
            let mid = 0.5 * (lo + hi), eta = exp(mid)
            // G₂/G₁ falls as η grows.
            if GoudsmitSaunderson.secondMoment(screening: eta) / GoudsmitSaunderson.firstMoment(screening: eta) > ratio {
                lo = mid
            } else {
                hi = mid
            }
        }
        return exp(0.5 * (lo + hi))
    }

    /// `n` values of 1 − cos θ for strength `g1` and screening `eta`.
    static func sample(g1: Double, eta: Double, n: Int, seed: UInt64) -> [Double] {
        let ratio = GoudsmitSaunderson.secondMoment(screening: eta) / GoudsmitSaunderson.firstMoment(screening: eta)
        var rng = RandomStream(seed: seed, history: 7)
        return (0..<n).map { _ in 1 - table.sampleCosTheta(g1: g1, momentRatio: ratio, rng: &rng) }
    }

    /// The sampled ⟨μ⟩ and ⟨P₂(μ)⟩ equal the exact GS moments for steps in water, bone and lead from 0.2 to
    /// 15 MeV and strengths s/λ₁ from 10⁻³ to 1. ⟨μ⟩ = e^{−s/λ₁} with the spin-corrected λ₁ (electrons
    /// and positrons); ⟨P₂⟩ = e^{−s/λ₂} without spin, and with spin the screened Rutherford value
    /// exp(−λG₂(η)) (the GS shape is that of the unspun cross section, docs/transport.md).
    @Test(arguments: [
        ("water", 0.2, 0.3, false, true), ("water", 1.0, 0.05, false, true), ("water", 6.0, 0.3, false, true),
        ("water", 15.0, 0.003, false, true), ("water", 1.0, 1.0, true, true), ("bone", 2.0, 0.3, false, true),
        ("bone", 0.5, 0.01, true, true), ("lead", 1.0, 0.3, false, true), ("lead", 10.0, 0.001, false, true),
        ("water", 1.0, 0.3, false, false), ("bone", 0.3, 0.001, false, false), ("lead", 0.5, 0.1, false, false),
    ])
    func sampledMomentsAreTheExactMoments(medium: String, energyMeV: Double, g1: Double, positron: Bool, spin: Bool) {
        let composition = medium == "water" ? Self.water : medium == "bone" ? Self.bone : Self.lead
        let il = MultipleScattering.inverseTransportPaths(composition: composition, kineticEnergyMeV: energyMeV, spin: spin,
                                                          positron: positron)
        let rutherford = MultipleScattering.inverseTransportPaths(composition: composition, kineticEnergyMeV: energyMeV)
        let eta = Self.screening(ratio: rutherford.second / rutherford.first)
        let lambda = g1 / GoudsmitSaunderson.firstMoment(screening: eta)
        let g2 = spin ? lambda * GoudsmitSaunderson.secondMoment(screening: eta) : g1 * il.second / il.first
        let n = 400_000
        let x = Self.sample(g1: g1, eta: eta, n: n, seed: 11)
        let mu = x.map { 1 - $0 }
        let m1 = mu.reduce(0, +) / Double(n)
        let p2 = mu.map { 1.5 * $0 * $0 - 0.5 }
        let m2 = p2.reduce(0, +) / Double(n)
        let v1 = mu.reduce(0) { $0 + ($1 - m1) * ($1 - m1) } / Double(n - 1)
        let v2 = p2.reduce(0) { $0 + ($1 - m2) * ($1 - m2) } / Double(n - 1)
        // 4σ of the sample means (σ from the sample), plus the tables' own error of ⟨1 − μ⟩ (measured for
        // every node against the exact remainder mean: ≤ 5·10⁻³ relative at G₁ = 10⁻³, ≤ 4·10⁻⁴ at 10⁻²,
        // ≤ 3·10⁻⁵ from 0.1; docs/transport.md) and 2·10⁻⁴ for the interpolation between nodes.
        func allowance(_ g: Double) -> Double { (1 - exp(-g)) * (2e-4 + 5e-6 / g) }
        let t1 = 4 * (v1 / Double(n)).squareRoot() + allowance(g1)
        let t2 = 4 * (v2 / Double(n)).squareRoot() + allowance(g2)
        #expect(abs(m1 - exp(-g1)) < t1, "⟨μ⟩ \(m1) vs \(exp(-g1)) ± \(t1) (λ = \(lambda), η = \(eta))")
        #expect(abs(m2 - exp(-g2)) < t2, "⟨P₂⟩ \(m2) vs \(exp(-g2)) ± \(t2) (λ = \(lambda), η = \(eta))")
    }

    /// Empirical P(1 − μ ≤ x) of `samples` at `x`.
    static func empirical(_ samples: [Double], _ x: Double) -> Double {
        Double(samples.reduce(0) { $0 + ($1 <= x ? 1 : 0) }) / Double(samples.count)
    }

    /// The sampled cumulative distribution agrees with the direct numerical GS sum
    /// (`GoudsmitSaunderson.cumulative`) at points from the core to the tail, on and between table nodes
    /// and below λ = 0.01 (two-collision composition).
    @Test(arguments: [(0.005, 1e-3), (0.7, 2e-4), (4.0, 1e-5), (37.0, 3e-6), (2000.0, 1e-6), (3e5, 2e-8), (50.0, 0.02)])
    func sampledCumulativeMatchesTheSeries(lambda: Double, eta: Double) {
        let g1 = lambda * GoudsmitSaunderson.firstMoment(screening: eta)
        let n = 200_000
        let x = Self.sample(g1: g1, eta: eta, n: n, seed: 5)
        let points = [0.3, 1, 3, 10, 100].map { min($0 * max(g1, eta), 1.9) }
        let exact = GoudsmitSaunderson.cumulative(lambda: lambda, screening: eta, at: points)
        for (p, f) in zip(points, exact) {
            let e = Self.empirical(x, p)
            // 4σ binomial, plus 2·10⁻³ for the interpolation of the quantile tables.
            let tolerance = 4 * (max(f * (1 - f), 1e-6) / Double(n)).squareRoot() + 2e-3
            #expect(abs(e - f) < tolerance, "λ \(lambda), η \(eta), x \(p): sampled \(e) vs series \(f)")
        }
    }

    /// The series itself against a direct simulation of the collisions: a Poisson number of screened
    /// Rutherford deflections, each composed in three dimensions (independent of the Legendre machinery).
    @Test(arguments: [(3.0, 0.01), (12.0, 1e-3)])
    func seriesMatchesDirectCollisionSimulation(lambda: Double, eta: Double) {
        var rng = RandomStream(seed: 3, history: 1)
        let n = 100_000
        var samples = [Double]()
        samples.reserveCapacity(n)
        for _ in 0..<n {
            // Poisson(λ) by multiplying uniforms (Knuth), then the direction's z after each collision.
            var count = 0, product = rng.uniform()
            while product > exp(-lambda) {
                count += 1
                product *= rng.uniform()
            }
            var u = (0.0, 0.0, 1.0)
            for _ in 0..<count {
                let r = rng.uniform()
                let x = MultipleScattering.sampleWentzel(eta, r)
                let cosT = 1 - x, sinT = (x * (2 - x)).squareRoot()
                let phi = 2 * Double.pi * rng.uniform()
                // Rotate u by (θ, φ) about an axis perpendicular to it.
                let (ux, uy, uz) = u
                let rho = (ux * ux + uy * uy).squareRoot()
                if rho < 1e-12 {
                    u = (sinT * cos(phi), sinT * sin(phi), uz * cosT)
                } else {
                    let c = cos(phi), s = sin(phi)
                    u = (ux * cosT + sinT * (ux * uz * c - uy * s) / rho,
                         uy * cosT + sinT * (uy * uz * c + ux * s) / rho,
                         uz * cosT - sinT * rho * c)
                }
            }
            samples.append(1 - u.2)
        }
        let g1 = lambda * GoudsmitSaunderson.firstMoment(screening: eta)
        let points = [0.1, 0.3, 1, 3, 10].map { min($0 * g1, 1.9) }
        let series = GoudsmitSaunderson.cumulative(lambda: lambda, screening: eta, at: points)
        for (p, f) in zip(points, series) {
            let e = Self.empirical(samples, p)
            let tolerance = 4 * (max(f * (1 - f), 1e-6) / Double(n)).squareRoot() + 1e-4
            #expect(abs(e - f) < tolerance, "x \(p): collisions \(e) vs series \(f)")
        }
    }

    /// Small steps: the distribution approaches single scattering. At λ = 0.05 a fraction e^{−λ} is not
    /// deflected, and the deflected ones follow one collision's (1 + η)x/(x + 2η) up to the two-collision
    /// share (≈ λ/2 = 2.5 %).
    @Test func smallStepsApproachSingleScattering() {
        let eta = 1e-4, lambda = 0.05
        let n = 200_000
        let x = Self.sample(g1: lambda * GoudsmitSaunderson.firstMoment(screening: eta), eta: eta, n: n, seed: 8)
        let undeflected = Double(x.filter { $0 == 0 }.count) / Double(n)
        #expect(abs(undeflected - exp(-lambda)) < 4 * (exp(-lambda) * (1 - exp(-lambda)) / Double(n)).squareRoot())
        let deflected = x.filter { $0 > 0 }
        for p in [eta, 10 * eta, 100 * eta] {
            let single = (1 + eta) * p / (p + 2 * eta)
            let e = Self.empirical(deflected, p)
            let tolerance = 4 * (single * (1 - single) / Double(deflected.count)).squareRoot() + 0.5 * lambda * (1 - single)
            #expect(abs(e - single) < tolerance, "x \(p): \(e) vs single scattering \(single)")
        }
    }

    /// Large steps: the distribution approaches isotropy (⟨μ⟩ = e^{−G₁} → 0, P(1 − μ ≤ x) → x/2).
    @Test(arguments: [5.0, 7.9, 20.0])
    func largeStepsApproachIsotropy(g1: Double) {
        let n = 200_000
        let x = Self.sample(g1: g1, eta: 1e-5, n: n, seed: 9)
        let mean = x.reduce(0, +) / Double(n)
        // ⟨1 − μ⟩ = 1 − e^{−G₁}; σ of the mean ≤ √(1/3)/√n.
        #expect(abs(mean - (1 - exp(-g1))) < 4 * (1.0 / 3 / Double(n)).squareRoot() + 1e-4)
        for p in [0.2, 1.0, 1.8] {
            let e = Self.empirical(x, p)
            // The GS distribution differs from isotropy by O(e^{−G₁}) (first Legendre term 1.5e^{−G₁}μ).
            let tolerance = 4 * (0.25 / Double(n)).squareRoot() + 1.5 * exp(-g1)
            #expect(abs(e - p / 2) < tolerance, "G₁ \(g1), x \(p): \(e)")
        }
    }
}
