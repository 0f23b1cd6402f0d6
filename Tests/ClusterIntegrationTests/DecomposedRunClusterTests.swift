import Foundation
import Testing
import TestSupport

/// `penumbra run --decomposed N` on the cluster, as real processes: the plan's beams run as decomposed jobs
/// (one per beam and round) on embedded workers and on two worker processes behind a coordinator; the
/// outputs must be byte-identical to the in-process decomposed run's (invariant 1).
@Suite("penumbra run --decomposed on the cluster")
struct DecomposedRunClusterTests {
    @Test("A plan decomposed in process, on 2 embedded workers and on 2 worker processes: the same dose.3ddose bytes")
    func planOnCluster() throws {
        let cluster = try ClusterProcessTests.Cluster(workers: 2, label: "decomposed-run")
        defer { cluster.stop() }
        let example = try runProgram(
            ChildProcess.binary, ["example", "thorax", "--out", cluster.directory.appendingPathComponent("thorax").path],
            timeout: .seconds(120))
        try #require(example.status == 0, "penumbra example: \(example.standardError)")
        // 2 cm voxels: a 10-plane grid, two slabs of whole 8-plane blocks. 3 000 histories first and a 9 000
        // limit at a 30 % target: about two rounds, so the rounds' sizes (decided from the batch figure) are
        // part of what must agree.
        let common = [
            "run", "--plan", cluster.directory.appendingPathComponent("thorax/RTPLAN.dcm").path, "--water-phantom", "20x20x20",
            "--dose-voxel", "2", "--uncertainty", "30%", "--first-round", "3000", "--histories", "9000", "--seed", "7",
            "--decomposed", "2", "--threads", "2", "--log-level", "error",
        ]
        var outputs: [String: (dose: Data, summary: [String: Any])] = [:]
        for (name, extra) in [
            ("in process", []), ("2 embedded workers", ["--workers", "2"]),
            ("2 worker processes", ["--coordinator", cluster.endpoint]),
        ] {
            let out = cluster.directory.appendingPathComponent(name.replacingOccurrences(of: " ", with: "-"))
            let run = try runProgram(ChildProcess.binary, common + extra + ["--out", out.path], timeout: .seconds(300))
            try #require(run.status == 0, "\(name): \(run.standardError)")
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
            outputs[name] = (try Data(contentsOf: out.appendingPathComponent("dose.3ddose")), summary as? [String: Any] ?? [:])
        }
        let reference = try #require(outputs["in process"])
        #expect(reference.dose.count > 1_000)
        #expect(reference.summary["decomposedSlabPlanes"] as? [[Int]] == [[0, 8], [8, 10]])
        #expect((reference.summary["rounds"] as? [Int])?.isEmpty == false)
        for name in ["2 embedded workers", "2 worker processes"] {
            let other = try #require(outputs[name])
            #expect(other.dose == reference.dose, "\(name): dose.3ddose differs from the in-process decomposed run's")
            for key in ["histories", "rounds", "meanRelativeUncertaintyAboveHalfMax", "maximumDoseGy", "decomposedSlabPlanes"] {
                #expect("\(other.summary[key] ?? "nil")" == "\(reference.summary[key] ?? "nil")", "\(name): summary \(key)")
            }
        }
        // The coordinator ran one decomposed job per beam and round (4 beams).
        let rounds = (reference.summary["rounds"] as? [Int])?.count ?? 0
        #expect(cluster.coordinator.errorLog.contains("job \(4 * rounds) completed"))
    }
}
