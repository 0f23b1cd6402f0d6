import Foundation
import TestSupport
import Testing

/// `penumbra run` computes a plan in rounds (`ClusterPlanDose`): each round is a job over the next
/// histories of one sequence, so how the histories are cut into rounds must not change a bit of the dose.
@Suite struct RunRoundsTests {
    struct Summary: Decodable {
        let histories: UInt64
        let rounds: [UInt64]
        let meanRelativeUncertaintyAboveHalfMax: Double
    }

    @Test func roundsCutDifferentlyGiveTheSameDoseBits() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-run-rounds")
        defer { try? FileManager.default.removeItem(at: dir) }
        let penumbra = DVHCommandTests.penumbra
        let example = try runProgram(penumbra, ["example", "thorax", "--out", dir.appendingPathComponent("thorax").path])
        try #require(example.status == 0, "penumbra example failed: \(example.standardError)")
        func run(_ name: String, _ extra: [String]) throws -> (Summary, Data) {
            let out = dir.appendingPathComponent(name)
            let result = try runProgram(penumbra, [
                "run", "--plan", dir.appendingPathComponent("thorax/RTPLAN.dcm").path, "--water-phantom", "20x20x20",
                "--dose-voxel", "2", "--threads", "2", "--out", out.path, "--log-level", "error",
            ] + extra)
            try #require(result.status == 0, "penumbra run failed: \(result.standardError)")
            let summary = try JSONDecoder().decode(Summary.self, from: Data(contentsOf: out.appendingPathComponent("summary.json")))
            return (summary, try Data(contentsOf: out.appendingPathComponent("dose.3ddose")))
        }
        // 30 000 histories under an unreachable target, cut 10 000 + 20 000 and 20 000 + 10 000.
        let common = ["--uncertainty", "0.01%", "--histories", "30000"]
        let (a, doseA) = try run("a", common + ["--first-round", "10000"])
        let (b, doseB) = try run("b", common + ["--first-round", "20000"])
        #expect(a.rounds == [10_000, 20_000])
        #expect(b.rounds == [20_000, 10_000])
        #expect(a.histories == 30_000 && b.histories == 30_000)
        #expect(a.meanRelativeUncertaintyAboveHalfMax == b.meanRelativeUncertaintyAboveHalfMax)
        #expect(doseA == doseB)
        // One round of all of them: the same bits again.
        let (c, doseC) = try run("c", common + ["--first-round", "30000"])
        #expect(c.rounds == [30_000])
        #expect(doseC == doseA)
        // Aimed at a reachable target: it stops there, the rounds adding up to the histories.
        let (aimed, _) = try run("aimed", ["--uncertainty", "30%", "--first-round", "1000"])
        #expect(aimed.meanRelativeUncertaintyAboveHalfMax <= 0.30)
        #expect(aimed.rounds.reduce(0, +) == aimed.histories)
        #expect(aimed.rounds.count >= 2, "\(aimed.rounds)")
        // A first round of no histories is refused.
        let zero = try runProgram(penumbra, ["run", "--plan", "x.dcm", "--water-phantom", "20x20x20", "--first-round", "0"])
        #expect(zero.status != 0 && zero.standardError.contains("--first-round"))
    }
}
