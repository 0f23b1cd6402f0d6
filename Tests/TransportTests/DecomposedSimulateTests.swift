import Foundation
import TestSupport
import Testing

/// `penumbra simulate --decomposed N` against the replicated run, as real processes.
@Suite struct DecomposedSimulateTests {
    let command = SimulateCommandTests()

    func summary(_ dir: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as? [String: Any] ?? [:]
    }

    /// Replicated (through the embedded cluster, 2 workers) and decomposed (4 slabs) modes agree: the
    /// dose is bit-identical (dose.npy), and the two uncertainty estimators (history by history, 10
    /// batches) agree within their own scatter.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: SimulateCommandTests.binary.path)), arguments: [
        ["--phantom", "phantoms/slab.egsphant", "--spectrum", "spectra/mohan6.spectrum"],
        ["--phantom", "phantoms/water.egsphant", "--energy", "2"],
    ])
    func replicatedAndDecomposedAgree(inputs: [String]) throws {
        let dir = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // The reference files read in place.
        let files = inputs.map { $0.contains("/") ? TestEnvironment.reference($0).path : $0 }
        let flags = ["--histories", "3000", "--seed", "21", "--threads", "2"] + files
        let replicated = dir.appendingPathComponent("replicated"), decomposed = dir.appendingPathComponent("decomposed")
        func simulate(_ extra: [String], out: URL) throws -> ProgramOutput {
            try runProgram(SimulateCommandTests.binary, ["simulate", "--field=-1,1,-1,1", "--out", out.path, "--log-level", "error"] + flags + extra)
        }
        let a = try simulate(["--workers", "2"], out: replicated)
        let b = try simulate(["--decomposed", "4"], out: decomposed)
        #expect(a.status == 0 && b.status == 0, "\(a.standardError) \(b.standardError)")
        let doseA = try Data(contentsOf: replicated.appendingPathComponent("dose.npy"))
        #expect(doseA.count > 1000)
        #expect(doseA == (try Data(contentsOf: decomposed.appendingPathComponent("dose.npy"))))
        let sa = try summary(replicated), sb = try summary(decomposed)
        #expect(sb["histories"] as? Int == 3000)
        #expect(sa["uncertaintyEstimator"] as? String == "history by history")
        #expect(sb["uncertaintyEstimator"] as? String == "10 batches")
        #expect((sb["decomposedSlabPlanes"] as? [[Int]])?.count == 4)
        let sigmaA = sa["meanRelativeUncertaintyAboveHalfMax"] as? Double ?? 0
        let sigmaB = sb["meanRelativeUncertaintyAboveHalfMax"] as? Double ?? 0
        // With 10 batches σ scatters by ≈ 24 % per voxel, less in a mean over voxels above half the
        // maximum; [0.75, 1.33] allows that and still fails a wrong estimator (a missing √B is ×3.2).
        #expect(sigmaA > 0 && sigmaB / sigmaA > 0.75 && sigmaB / sigmaA < 1.33, "σ replicated \(sigmaA), decomposed \(sigmaB)")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: SimulateCommandTests.binary.path)), arguments: [
        (["--decomposed", "2", "--batches", "5"], "at least 10"),
        (["--decomposed", "0"], "at least 1 slab"),
        // The slab phantom has 60 planes: 8 blocks of 8; more slabs than that are refused, not quietly cut fewer.
        (["--decomposed", "9"], "cut into at most 8 slabs"),
        (["--decomposed", "2", "--driver", "simd"], "does not run decomposed"),
    ])
    func badDecompositionIsAClearError(extra: [String], message: String) throws {
        let dir = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let r = try command.simulate(["--histories", "100"] + extra, out: out)
        #expect(r.status != 0)
        #expect(r.standardError.contains(message), "\(r.standardError)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}
