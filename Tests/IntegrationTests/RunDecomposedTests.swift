import Foundation
import TestSupport
import Testing

/// `penumbra run --decomposed N` in this process against the replicated run (`ClusterPlanDose`), as real
/// processes on the thorax example's plan in a 20 cm water tank.
@Suite struct RunDecomposedTests {
    /// Dose and relative uncertainty per voxel of a `.3ddose` file (counts, boundaries, doses, uncertainties).
    static func read3ddose(_ url: URL) throws -> (dose: [Double], relative: [Double]) {
        let fields = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isWhitespace)
        let counts = fields.prefix(3).compactMap { Int($0) }
        try #require(counts.count == 3)
        let n = counts.reduce(1, *)
        let first = 3 + counts.map { $0 + 1 }.reduce(0, +)
        let values = fields[first..<first + 2 * n].compactMap { Double($0) }
        try #require(values.count == 2 * n)
        return (Array(values[..<n]), Array(values[n...]))
    }

    /// χ²/ν of two independent doses over the voxels above `fraction` of the larger maximum in both.
    static func chiSquarePerVoxel(_ a: (dose: [Double], relative: [Double]), _ b: (dose: [Double], relative: [Double]),
                                  aboveFraction fraction: Double) -> (value: Double, voxels: Int) {
        let threshold = fraction * max(a.dose.max() ?? 0, b.dose.max() ?? 0)
        var sum = 0.0, count = 0
        for v in a.dose.indices where a.dose[v] > threshold && b.dose[v] > threshold {
            let sa = a.dose[v] * a.relative[v], sb = b.dose[v] * b.relative[v]
            let d = a.dose[v] - b.dose[v]
            sum += d * d / (sa * sa + sb * sb)
            count += 1
        }
        return (sum / Double(max(count, 1)), count)
    }

    @Test func decomposedPlanAgreesWithTheReplicatedRun() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-run-decomposed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let penumbra = DVHCommandTests.penumbra
        let example = try runProgram(penumbra, ["example", "thorax", "--out", dir.appendingPathComponent("thorax").path])
        try #require(example.status == 0, "penumbra example failed: \(example.standardError)")
        // 1 cm voxels: 20 planes, so 2 or 3 slabs of whole 8-plane blocks; 12 000 histories in one round.
        func run(_ name: String, _ extra: [String]) throws -> (dose: (dose: [Double], relative: [Double]), bytes: Data, summary: [String: Any]) {
            let out = dir.appendingPathComponent(name)
            let result = try runProgram(penumbra, [
                "run", "--plan", dir.appendingPathComponent("thorax/RTPLAN.dcm").path, "--water-phantom", "20x20x20",
                "--dose-voxel", "1", "--uncertainty", "99%", "--first-round", "12000", "--threads", "2",
                "--out", out.path, "--log-level", "error",
            ] + extra, timeout: .seconds(300))
            try #require(result.status == 0, "penumbra run \(name) failed: \(result.standardError)")
            let file = out.appendingPathComponent("dose.3ddose")
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
            return (try Self.read3ddose(file), try Data(contentsOf: file), summary as? [String: Any] ?? [:])
        }
        let replicated5 = try run("replicated-5", ["--seed", "5"])
        let twoSlabs5 = try run("decomposed-2-5", ["--seed", "5", "--decomposed", "2"])
        let threeSlabs5 = try run("decomposed-3-5", ["--seed", "5", "--decomposed", "3"])
        // The same histories on the same streams: every voxel's dose is the replicated run's (bit for bit in
        // the energy sums, so equal in the printed digits); only the uncertainty estimator differs.
        #expect(twoSlabs5.dose.dose == replicated5.dose.dose)
        #expect(twoSlabs5.dose.relative != replicated5.dose.relative)
        // Another slab layout: the batches' sums are exact, so the whole file is the same bytes.
        #expect(threeSlabs5.bytes == twoSlabs5.bytes)
        #expect(twoSlabs5.summary["decomposedSlabPlanes"] as? [[Int]] == [[0, 8], [8, 20]])
        #expect(threeSlabs5.summary["decomposedSlabPlanes"] as? [[Int]] == [[0, 8], [8, 16], [16, 20]])
        #expect(twoSlabs5.summary["uncertaintyEstimator"] as? String == "10 batches per beam and round")
        #expect((twoSlabs5.summary["beams"] as? [[String: Any]])?.count == 4)

        // Statistics: another seed, decomposed, against the replicated run of seed 5, and the replicated run
        // of that seed as the control. Seed 6's dose is the same in both (above), so the two χ² differ only
        // in the uncertainty estimator. At 12 000 histories χ²/ν sits below 1 even between two replicated runs
        // (≈ 0.7: skewed few-track voxels), hence the ratio to the control rather than to 1. The 10-batch
        // σ² of a voxel scatters by √(2/9) ≈ 47 %, but the ≈ 800 voxels above 20 % of the maximum (a few
        // hundred independent ones) average that to a few per cent, and 1/σ̂² with 9 degrees of freedom is
        // biased up by at most 9/7 in the batch half of each denominator; [0.75, 1.33] holds that and fails
        // a batch estimator off by √B (χ² × 10 or ÷ 10) or one that drops a beam or a round's variance.
        let decomposed6 = try run("decomposed-2-6", ["--seed", "6", "--decomposed", "2"])
        let replicated6 = try run("replicated-6", ["--seed", "6"])
        let test = Self.chiSquarePerVoxel(replicated5.dose, decomposed6.dose, aboveFraction: 0.2)
        let control = Self.chiSquarePerVoxel(replicated5.dose, replicated6.dose, aboveFraction: 0.2)
        #expect(test.voxels > 300 && control.voxels > 300)
        #expect(control.value > 0.3 && control.value < 2, "control χ²/ν \(control.value)")
        #expect(test.value / control.value > 0.75 && test.value / control.value < 1.33,
                "χ²/ν decomposed vs replicated \(test.value), replicated vs replicated \(control.value)")
    }

    @Test(arguments: [
        (["--dose-voxel", "2", "--decomposed", "3"], "cut into at most 2 slabs"),
        (["--decomposed", "2", "--batches", "20", "--first-round", "10"], "is more than --first-round"),
        (["--decomposed", "2", "--batches", "5"], "at least 10"),
    ])
    func badDecompositionIsAClearError(extra: [String], message: String) throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-run-decomposed-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let penumbra = DVHCommandTests.penumbra
        let example = try runProgram(penumbra, ["example", "thorax", "--out", dir.appendingPathComponent("thorax").path])
        try #require(example.status == 0, "penumbra example failed: \(example.standardError)")
        let out = dir.appendingPathComponent("out")
        let result = try runProgram(penumbra, [
            "run", "--plan", dir.appendingPathComponent("thorax/RTPLAN.dcm").path, "--water-phantom", "20x20x20",
            "--out", out.path, "--log-level", "error",
        ] + extra, timeout: .seconds(120))
        #expect(result.status != 0)
        #expect(result.standardError.contains(message), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}
