import Foundation
import TestSupport
import Testing

/// `penumbra run` stops at its uncertainty target in a CT with air around the patient.
///
/// The bug this guards against: with the schneider-2000 calibration, air voxels (0.0012 g/cm³) hit by a
/// single electron got doses far above the patient's, became "the maximum", and held the mean relative
/// uncertainty above half of it near 100 %; the old round loop extrapolated the histories needed from
/// that figure and ran 80 M histories for a 5 % target (to 1.3 %). The stop figure now leaves out voxels
/// below 0.04 g/cm³, and rounds are aimed at the target (σ² ∝ 1/N, at most 16× the histories so far per
/// round), so the run stops just below the target, well above half of it. The first round is made small
/// enough to miss the target, so that the run has to aim (100 000 histories with the default photon
/// splitting already reach ≈ 5 % on this grid).
@Suite struct RunStopTests {
    @Test func schneiderThoraxStopsJustBelowTheTarget() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-run-stop")
        defer { try? FileManager.default.removeItem(at: dir) }
        let patient = dir.appendingPathComponent("thorax")
        let penumbra = DVHCommandTests.penumbra
        let example = try runProgram(penumbra, ["example", "thorax", "--out", patient.path])
        try #require(example.status == 0, "penumbra example failed: \(example.standardError)")
        let out = dir.appendingPathComponent("out")
        let run = try runProgram(penumbra, [
            "run", patient.path, "--calibration", "schneider-2000", "--uncertainty", "10%", "--dose-voxel", "2",
            "--first-round", "10000", "--workers", "2", "--out", out.path, "--log-level", "error",
        ])
        try #require(run.status == 0, "penumbra run failed: \(run.standardError)")
        struct Summary: Decodable {
            let histories: UInt64
            let meanRelativeUncertaintyAboveHalfMax: Double
            let rounds: [UInt64]
        }
        let summary = try JSONDecoder().decode(Summary.self, from: Data(contentsOf: out.appendingPathComponent("summary.json")))
        #expect(summary.meanRelativeUncertaintyAboveHalfMax <= 0.10)
        #expect(summary.meanRelativeUncertaintyAboveHalfMax > 0.05)
        // 10 000 histories miss 10 % on this grid, so at least one aimed round follows.
        #expect(summary.rounds.count >= 2 && summary.rounds.first == 10_000, "rounds: \(summary.rounds)")
        // The old loop went to millions.
        #expect(summary.histories <= 800_000)
    }
}
