import Foundation

/// Sampling of the Goudsmit–Saunderson angular deflection after a condensed-history step, from tables
/// built once per process in universal variables (after Kawrakow & Bielajew 1998, NIM B 134:325; our
/// own tabulation, see docs/transport.md "Multiple scattering").
///
/// A step is given by its strength G₁ = s/λ₁ (spin-corrected when spin is on) and the medium's ratio
/// λ₁/λ₂ of its screened Rutherford cross section without spin. The medium is represented by the one
/// screened Rutherford cross section with that ratio: its screening η follows from G₂(η)/G₁(η) (a
/// function of η alone, from 3 at η → 0 to 1 at η → ∞), the step's mean number of collisions from
/// λ = G₁/G₁(η). The deflection is drawn from the exact GS distribution of (λ, η), so ⟨1 − μ⟩ = 1 − e^{−G₁}
/// exactly (and ⟨P₂⟩ = e^{−s/λ₂} exactly without spin):
/// * no collision with probability e^{−λ};
/// * one collision with probability λe^{−λ}, sampled exactly: x = 1 − μ = 2ηr/(1 + η − r);
/// * two or more collisions otherwise, from the remainder distribution F_ms tabulated on a grid of
///   (ln λ, ln G₁). At each node the variable u = (1 + a)x/(x + 2a), with a set so that the node's median
///   falls at u = ½, carries 257 quantiles u(r); a sample interpolates u linearly in r and bilinearly
///   between the four nodes around (λ, G₁), together with ln(a/η), and maps u back to x.
///   No loop, no rejection.
///
/// Outside the grid: λ < 0.01 (remainder probability < 5·10⁻⁵) samples the two-collision term exactly
/// by composing two single deflections (three or more collisions are < 0.4 % of it); λ > 10⁶ uses the
/// nodes at 10⁶ with the same G₁, where the shape at fixed G₁ changes only logarithmically with λ;
/// G₁ < 10⁻³ uses the nodes at 10⁻³ with a scaled by η: in this small-angle regime the distribution of
/// x/η depends on λ alone; G₁ ≥ 8 is isotropic (⟨μ⟩ = e^{−G₁} < 4·10⁻⁴).
public final class GoudsmitSaundersonTable: Sendable {
    /// The tables, built on first use (≈ 1 s of CPU in a release build) and shared by every simulation.
    public static let shared = GoudsmitSaundersonTable()

    static let lnLambdaMin = log(0.01), lnLambdaMax = log(1e6)
    static let lnG1Min = log(1e-3), lnG1Max = log(8.0)
    static let nodesPerDecade = 8.0
    /// Quantiles per node, at r = 1 − (1 − t)² for equally spaced t: the last interval holds 1.5·10⁻⁵ of
    /// the probability, so the single-scattering tail (which carries much of ⟨1 − μ⟩ with ≈ 10⁻³ of the
    /// probability) is resolved.
    static let quantileCount = 257
    /// Cumulative-distribution points per node used to place the quantiles, at u = 1 − (1 − t)²: the
    /// tail near u = 1 carries much of the mean; with equally spaced u the node's ⟨1 − μ⟩ was 1 % off
    /// (λ = 3, G₁ = 10⁻³), with this spacing < 10⁻⁴.
    static let cumulativePointCount = 193

    let lambdaCount: Int
    let g1Count: Int
    let lnStep: Double
    /// Node-major, (i·g1Count + j)·quantileCount + k.
    let quantiles: [Double]
    /// ln(a/η) and ln η per node.
    let lnScale: [Double]
    let lnEta: [Double]
    /// ln η and ln G₁(η) of the screened Rutherford cross section on a uniform grid of v = 1/(3 − G₂/G₁).
    let ratio: ScreeningByMomentRatio

    /// Builds the tables (rows of nodes are computed on all cores).
    public init() {
        let step = log(10.0) / Self.nodesPerDecade
        lnStep = step
        lambdaCount = Int(((Self.lnLambdaMax - Self.lnLambdaMin) / step).rounded()) + 1
        g1Count = Int(((Self.lnG1Max - Self.lnG1Min) / step).rounded(.up)) + 1
        let q = Self.quantileCount
        let nodes = lambdaCount * g1Count
        let store = NodeStore(nodes: nodes, quantileCount: q)
        let (nl, ng) = (lambdaCount, g1Count)
        DispatchQueue.concurrentPerform(iterations: nl) { i in
            for j in 0..<ng {
                let lambda = exp(Self.lnLambdaMin + Double(i) * step)
                let g1 = exp(Self.lnG1Min + Double(j) * step)
                store.set(i * ng + j, Self.node(lambda: lambda, g1: g1))
            }
        }
        quantiles = store.quantiles
        lnScale = store.lnScale
        lnEta = store.lnEta
        ratio = ScreeningByMomentRatio()
    }

    /// One node: the remainder's quantiles in u, ln(a/η) and ln η for mean collision number `lambda` and
    /// strength `g1` (η from G₁(η) = g1/λ).
    static func node(lambda: Double, g1: Double) -> (quantiles: [Double], lnScale: Double, lnEta: Double) {
        let eta = GoudsmitSaunderson.screening(firstMoment: g1 / lambda)
        let c = GoudsmitSaunderson.remainderCoefficients(lambda: lambda, screening: eta)
        let total = c[0]
        // Pass 1: the median from 48 points spaced in ln x, to centre u.
        let xLo = min(1e-2 * eta, 1e-3)
        let coarse = (0..<48).map { xLo * pow(2 / xLo, Double($0) / 47) }
        let fc = GoudsmitSaunderson.remainderCumulative(coefficients: c, at: coarse).map { $0 / total }
        var median = coarse[0]
        if let k = fc.firstIndex(where: { $0 >= 0.5 }), k > 0 {
            let w = (0.5 - fc[k - 1]) / max(fc[k] - fc[k - 1], 1e-300)
            median = exp(log(coarse[k - 1]) + w * (log(coarse[k]) - log(coarse[k - 1])))
        }
        median = min(median, 0.99)
        let a = median / (2 * (1 - median))
        // Pass 2: the cumulative distribution at equally spaced u, made monotone, then inverted.
        let n = cumulativePointCount
        let u = (0..<n).map { let t = 1 - Double($0) / Double(n - 1); return 1 - t * t }
        let x = u.map { min(2, 2 * a * $0 / (1 + a - $0)) }
        var f = GoudsmitSaunderson.remainderCumulative(coefficients: c, at: x).map { min(1, max(0, $0 / total)) }
        f[0] = 0
        f[n - 1] = 1
        for k in 1..<n { f[k] = max(f[k], f[k - 1]) }
        var out = [Double](repeating: 0, count: quantileCount)
        var k = 0
        for m in 0..<quantileCount {
            let t = 1 - Double(m) / Double(quantileCount - 1)
            let r = 1 - t * t
            while k < n - 2 && f[k + 1] <= r { k += 1 }
            let df = f[k + 1] - f[k]
            out[m] = df > 0 ? u[k] + (u[k + 1] - u[k]) * min(1, max(0, (r - f[k]) / df)) : u[k]
        }
        out[quantileCount - 1] = 1
        return (out, log(a / eta), log(eta))
    }

    /// Samples cos θ after a step of strength `g1` = s/λ₁ in a medium whose screened Rutherford cross
    /// section has λ₁/λ₂ = `momentRatio` (three or four uniforms).
    public func sampleCosTheta(g1: Double, momentRatio: Double, rng: inout RandomStream) -> Double {
        let r1 = rng.uniform(), r2 = rng.uniform()
        guard g1 > 1e-10 else { return 1 }
        let lnG1 = log(g1)
        if lnG1 >= Self.lnG1Max { return 1 - 2 * r1 }
        let (lnEtaStep, lnSingleG1) = ratio.screening(momentRatio: momentRatio)
        let lnLambda = lnG1 - lnSingleG1
        let lambda = exp(lnLambda)
        let p0 = exp(-lambda)
        if r1 < p0 { return 1 }
        let eta = exp(lnEtaStep)
        if r1 < p0 * (1 + lambda) { return 1 - MultipleScattering.sampleWentzel(eta, r2) }
        if lnLambda < Self.lnLambdaMin {
            // Two collisions: compose two single deflections (sin²θ = x(2 − x)).
            let x1 = MultipleScattering.sampleWentzel(eta, r2), x2 = MultipleScattering.sampleWentzel(eta, rng.uniform())
            let sines = (x1 * (2 - x1) * x2 * (2 - x2)).squareRoot()
            return min(1, max(-1, (1 - x1) * (1 - x2) + sines * cos(2 * Double.pi * rng.uniform())))
        }
        var fi = (lnLambda - Self.lnLambdaMin) / lnStep
        let beyond = fi > Double(lambdaCount - 1)
        fi = min(fi, Double(lambdaCount - 1))
        let fj = min(max((lnG1 - Self.lnG1Min) / lnStep, 0), Double(g1Count - 1))
        let i = min(Int(fi), lambdaCount - 2), j = min(Int(fj), g1Count - 2)
        let wi = fi - Double(i), wj = fj - Double(j)
        let fr = (1 - (1 - r2).squareRoot()) * Double(Self.quantileCount - 1)
        let k = min(Int(fr), Self.quantileCount - 2)
        let wk = fr - Double(k)
        let n00 = i * g1Count + j, n01 = n00 + 1, n10 = n00 + g1Count, n11 = n10 + 1
        let w00 = (1 - wi) * (1 - wj), w01 = (1 - wi) * wj, w10 = wi * (1 - wj), w11 = wi * wj
        let q = Self.quantileCount
        let u = quantiles.withUnsafeBufferPointer { t -> Double in
            func at(_ node: Int) -> Double {
                let b = node * q + k
                return t[b] + wk * (t[b + 1] - t[b])
            }
            return w00 * at(n00) + w01 * at(n01) + w10 * at(n10) + w11 * at(n11)
        }
        let s = w00 * lnScale[n00] + w01 * lnScale[n01] + w10 * lnScale[n10] + w11 * lnScale[n11]
        // Beyond λ = 10⁶ the nodes' own η (at the same G₁) sets the scale; inside, the step's η.
        let lnEtaScale = beyond
            ? w00 * lnEta[n00] + w01 * lnEta[n01] + w10 * lnEta[n10] + w11 * lnEta[n11]
                + min(lnG1 - Self.lnG1Min - Double(j) * lnStep - wj * lnStep, 0)
            : lnEtaStep
        let a = exp(s + lnEtaScale)
        let x = min(2, max(0, 2 * a * u / (1 + a - u)))
        return 1 - x
    }
}

/// Written by the rows of the table build, one node per call; read once the build has finished.
private final class NodeStore: @unchecked Sendable {
    var quantiles: [Double]
    var lnScale: [Double]
    var lnEta: [Double]
    let quantileCount: Int
    private let lock = NSLock()

    init(nodes: Int, quantileCount: Int) {
        self.quantileCount = quantileCount
        quantiles = [Double](repeating: 0, count: nodes * quantileCount)
        lnScale = [Double](repeating: 0, count: nodes)
        lnEta = [Double](repeating: 0, count: nodes)
    }

    func set(_ node: Int, _ value: (quantiles: [Double], lnScale: Double, lnEta: Double)) {
        lock.lock()
        defer { lock.unlock() }
        quantiles.replaceSubrange(node * quantileCount..<(node + 1) * quantileCount, with: value.quantiles)
        lnScale[node] = value.lnScale
        lnEta[node] = value.lnEta
    }
}
