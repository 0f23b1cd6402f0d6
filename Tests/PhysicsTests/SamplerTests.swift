import Foundation
import Testing

@testable import Physics

/// Goodness of fit of every sampler against its analytic distribution, with a fixed seed.
///
/// Each test draws `n` samples, bins them, and compares with bin probabilities integrated from the
/// analytic density (midpoint rule, 400 steps per bin). The χ² bound df + 5√(2 df) is passed by a correct
/// sampler with probability > 0.9999, and the seed is fixed, so the test is deterministic; a sampler off
/// by 1 % in a bin of 4 000 expected counts fails it.
@Suite("Sampler goodness of fit")
struct SamplerTests {
    static let n = 200_000

    /// χ² of `samples` in the bins `edges` against the density `pdf` (any normalisation), merging no bins:
    /// the binning is chosen so that every bin expects ≥ 20 counts. Returns (χ², degrees of freedom).
    static func chiSquare(_ samples: [Double], edges: [Double], pdf: (Double) -> Double) -> (Double, Int) {
        var expected = [Double](repeating: 0, count: edges.count - 1)
        for b in expected.indices {
            let steps = 400
            let h = (edges[b + 1] - edges[b]) / Double(steps)
            expected[b] = (0..<steps).reduce(0) { $0 + pdf(edges[b] + (Double($1) + 0.5) * h) * h }
        }
        let total = expected.reduce(0, +)
        var counts = [Double](repeating: 0, count: expected.count)
        for x in samples {
            var lo = 0, hi = edges.count - 1
            guard x >= edges[0], x <= edges[hi] else { continue }
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if edges[mid] <= x { lo = mid } else { hi = mid }
            }
            counts[lo] += 1
        }
        var chi2 = 0.0
        for b in expected.indices {
            let e = expected[b] / total * Double(samples.count)
            #expect(e >= 20, "bin \(b) expects only \(e) counts; widen the bins")
            chi2 += (counts[b] - e) * (counts[b] - e) / e
        }
        return (chi2, expected.count - 1)
    }

    static func check(_ label: String, _ result: (Double, Int)) {
        let (chi2, df) = result
        let bound = Double(df) + 5 * (2 * Double(df)).squareRoot()
        #expect(chi2 < bound, "\(label): χ² = \(chi2) for \(df) degrees of freedom (bound \(bound))")
        print("GOF \(label): chi2 = \(String(format: "%.1f", chi2)) / df \(df)")
    }

    static func linearEdges(_ a: Double, _ b: Double, _ count: Int) -> [Double] {
        (0...count).map { a + (b - a) * Double($0) / Double(count) }
    }

    static func logEdges(_ a: Double, _ b: Double, _ count: Int) -> [Double] {
        (0...count).map { a * exp(log(b / a) * Double($0) / Double(count)) }
    }

    @Test("Klein–Nishina scattered energy and angle", arguments: [0.05, 0.3, 1.0, 6.0, 20.0])
    func kleinNishina(energyMeV: Double) {
        let sampler = KleinNishinaSampler()
        var random = SplitMix64(seed: 20_261_129)
        let samples = (0..<Self.n).map { _ in sampler.sample(energyMeV: energyMeV, random: &random) }
        let k = energyMeV / CollisionStoppingPower.electronMassMeV
        let eps0 = 1 / (1 + 2 * k)
        // Energy: dσ/dε ∝ 1/ε + ε − sin²θ (Klein & Nishina 1929), bins uniform in ln ε.
        Self.check(
            "KN ε at \(energyMeV) MeV",
            Self.chiSquare(samples.map { $0.photonEnergyMeV / energyMeV }, edges: Self.logEdges(eps0, 1, 40)) {
                KleinNishinaSampler.density(epsilon: $0, k: k)
            })
        // Angle: dσ/dcosθ ∝ P²(P + 1/P − sin²θ), P = 1/(1 + k(1 − cos θ)); bins in ln(2 − cos θ)… use
        // bins uniform in cos θ, fewer where the forward peak leaves the backward bins empty.
        let edges = energyMeV > 3 ? Self.linearEdges(0.6, 1, 40) : Self.linearEdges(-1, 1, 40)
        let mus = samples.map(\.cosTheta).filter { $0 >= edges[0] }
        Self.check(
            "KN cos θ at \(energyMeV) MeV",
            Self.chiSquare(mus, edges: edges) { mu in
                let p = 1 / (1 + k * (1 - mu))
                return p * p * (p + 1 / p - (1 - mu * mu))
            })
        // Energy conservation.
        #expect(samples.allSatisfy { abs($0.photonEnergyMeV + $0.electronEnergyMeV - energyMeV) < 1e-12 })
    }

    @Test(
        "bound Compton: Klein–Nishina × S(x)/Z of the material",
        arguments: [("WATER", 0.02), ("BONE_CORTICAL_ICRP", 0.08)])
    func boundCompton(material name: String, energyMeV: Double) throws {
        let data = try PhysicsData.bundled()
        let material = try data.material(named: name)
        let sampler = data.comptonSampler(for: material)
        let function = try #require(data.scatteringFunction(for: material))
        var random = SplitMix64(seed: 23)
        let k = energyMeV / CollisionStoppingPower.electronMassMeV
        let mus = (0..<Self.n).map { _ in sampler.sample(energyMeV: energyMeV, random: &random).cosTheta }
        Self.check(
            "bound Compton \(name) \(energyMeV) MeV",
            Self.chiSquare(mus, edges: Self.linearEdges(-1, 1, 40)) { mu in
                let p = 1 / (1 + k * (1 - mu))
                let eps = p
                return p * p * (p + 1 / p - (1 - mu * mu))
                    * KleinNishinaSampler.binding(function, energyMeV: energyMeV, k: k, epsilon: eps)
            })
        // Binding removes forward scatters: fewer than free-electron KN in the first bin.
        var free = SplitMix64(seed: 23)
        let freeSampler = KleinNishinaSampler()
        let freeMus = (0..<Self.n).map { _ in freeSampler.sample(energyMeV: energyMeV, random: &free).cosTheta }
        #expect(mus.filter { $0 > 0.95 }.count < freeMus.filter { $0 > 0.95 }.count * 9 / 10)
    }

    @Test("Møller energy transfer (Δ = 10 keV)", arguments: [0.05, 1.0, 7.3])
    func moller(kineticEnergyMeV t: Double) {
        let cut = 0.010
        let sampler = MollerSampler(lepton: .electron, cutMeV: cut)
        var random = SplitMix64(seed: 7)
        let w = (0..<Self.n).map { _ in sampler.sampleEnergyTransfer(kineticEnergyMeV: t, random: &random) / t }
        #expect(w.allSatisfy { $0 >= cut / t - 1e-12 && $0 <= 0.5 + 1e-12 })
        Self.check(
            "Møller at \(t) MeV",
            Self.chiSquare(w, edges: Self.logEdges(cut / t, 0.5, 30)) {
                MollerSampler.shape(.electron, epsilon: $0, kineticEnergyMeV: t)
            })
    }

    @Test("Bhabha energy transfer (Δ = 10 keV)", arguments: [0.1, 2.0])
    func bhabha(kineticEnergyMeV t: Double) {
        let cut = 0.010
        let sampler = MollerSampler(lepton: .positron, cutMeV: cut)
        var random = SplitMix64(seed: 8)
        let w = (0..<Self.n).map { _ in sampler.sampleEnergyTransfer(kineticEnergyMeV: t, random: &random) / t }
        Self.check(
            "Bhabha at \(t) MeV",
            Self.chiSquare(w, edges: Self.logEdges(cut / t, 1, 30)) {
                MollerSampler.shape(.positron, epsilon: $0, kineticEnergyMeV: t)
            })
    }

    @Test(
        "pair energy split (Bethe–Heitler, Tsai screening)", arguments: [("WATER", 10.0), ("WATER", 3.3), ("PB", 18.0)])
    func pair(material name: String, energyMeV k: Double) throws {
        let data = try PhysicsData.bundled()
        let material = try data.material(named: name)
        let sampler = data.pairSampler(for: material)
        var random = SplitMix64(seed: 11)
        let m = CollisionStoppingPower.electronMassMeV
        let split = (0..<Self.n).map { _ -> Double in
            let pair = sampler.sample(energyMeV: k, random: &random)
            #expect(abs(pair.electronEnergyMeV + pair.positronEnergyMeV - (k - 2 * m)) < 1e-9)
            return pair.positronEnergyMeV / (k - 2 * m)
        }
        let weights = PairEnergySampler.elementWeights(material)
        let epsMin = m / k
        Self.check(
            "pair \(name) \(k) MeV",
            Self.chiSquare(split, edges: Self.linearEdges(0, 1, 40)) { s in
                PairEnergySampler.density(epsilon: epsMin + s * (1 - 2 * epsMin), photonEnergyMeV: k, elements: weights)
            })
    }

    @Test(
        "Rayleigh angle (Thomson × F², xraylib form factors)",
        arguments: [("WATER", 0.03), ("WATER", 0.3), ("BONE_CORTICAL_ICRP", 1.7)])
    func rayleigh(material name: String, energyMeV: Double) throws {
        let data = try PhysicsData.bundled()
        let material = try data.material(named: name)
        let sampler = data.rayleighSampler(for: material)
        let tables = try #require(data.formFactor(for: material))
        var random = SplitMix64(seed: 13)
        let kk = pow(energyMeV * 1e3 / RayleighSampler.hcKeVAngstrom, 2)
        // Variable y = (1 − cos θ)/2 = x/K², binned in ln y: F² makes the distribution span decades.
        let ys = (0..<Self.n).map { _ in (1 - sampler.sample(energyMeV: energyMeV, random: &random)) / 2 }
        // Bins between the 1 % and 99.5 % quantiles, so that every bin expects enough counts.
        let sorted = ys.sorted()
        let lowest = sorted[Self.n / 100], highest = sorted[Self.n - Self.n / 200]
        let kept = ys.filter { $0 >= lowest && $0 <= highest }
        Self.check(
            "Rayleigh \(name) \(energyMeV) MeV",
            Self.chiSquare(kept, edges: Self.logEdges(lowest, highest, 25)) { y in
                let mu = 1 - 2 * y
                return RayleighSampler.interpolateLogLog(tables.x, tables.f2, at: y * kk) * (1 + mu * mu)
            })
    }

    @Test("Sauter photo-electron direction", arguments: [0.02, 0.5])
    func sauter(kineticEnergyMeV t: Double) {
        let sampler = SauterSampler()
        var random = SplitMix64(seed: 17)
        let mus = (0..<Self.n).map { _ in sampler.sampleCosTheta(kineticEnergyMeV: t, random: &random) }
        let gamma = 1 + t / CollisionStoppingPower.electronMassMeV
        let beta = (1 - 1 / (gamma * gamma)).squareRoot()
        let edges = t > 0.2 ? Self.linearEdges(-0.2, 1, 30) : Self.linearEdges(-1, 1, 30)
        Self.check(
            "Sauter \(t) MeV",
            Self.chiSquare(mus.filter { $0 >= edges[0] }, edges: edges) {
                SauterSampler.density(v: 1 - $0, gamma: gamma, beta: beta)
            })
    }

    @Test("bremsstrahlung photon energy (k_c = 10 keV)", arguments: [0.5, 6.0])
    func bremsstrahlung(kineticEnergyMeV t: Double) throws {
        let data = try PhysicsData.bundled()
        let electrons = try data.electronData(for: try data.material(named: "WATER"), cuts: .egsnrc521)
        var random = SplitMix64(seed: 19)
        let ks = (0..<Self.n).map { _ in
            electrons.bremsstrahlungSampler.samplePhotonEnergy(kineticEnergyMeV: t, random: &random)
        }
        let row = electrons.bremsstrahlung.row(lnKineticEnergy: log(t))
        // dσ/dk = ψ(T, k/T)/k.
        Self.check(
            "brems \(t) MeV",
            Self.chiSquare(ks, edges: Self.logEdges(0.01, t, 30)) { k in
                electrons.bremsstrahlung.value(row: row, kappa: k / t) / k
            })
    }
}
