import Cluster
import FileIO
import Foundation
import Testing
import TestSupport
import ZeroMQ

/// `penumbra simulate --decomposed N` on real `coordinator` and `worker` processes on 127.0.0.1: slab
/// units in rounds, banks through the coordinator, one worker SIGKILLed mid-job. The dose must be
/// bit-identical to the in-process decomposed run (dose.3ddose, batch uncertainties included) and to the
/// whole-phantom run (dose.npy), DESIGN.md invariant 1.
@Suite("Decomposed rounds on cluster processes", .serialized)
struct DecomposedClusterTests {
    /// The water/bone/lung phantom, 3 slabs, 10 batches: short enough for a debug build, long enough
    /// (about 50 rounds) that the kill lands mid-job.
    static let common = [
        "simulate", "--phantom", TestEnvironment.reference("phantoms/slab.egsphant").path, "--energy", "2",
        "--field=-2,2,-2,2", "--histories", "400", "--seed", "7", "--log-level", "error",
    ]

    /// Polls (bounded) the status of job 1, which the client process submits when it is up.
    static func waitForJob(_ client: ClusterClient, timeout: Duration, _ condition: (JobStatus) -> Bool) throws -> JobStatus {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            do {
                if let status = try client.status(jobID: 1).first, condition(status) { return status }
            } catch ClusterError.refused {
                // Not submitted yet.
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ClusterError.timeout("job 1 did not reach the expected state")
    }

    @Test("Decomposed over 2 worker processes, one SIGKILLed mid-job: dose bit-identical to in-process decomposed and to whole-phantom transport")
    func workerKilledMidRound() throws {
        var cluster = try ClusterProcessTests.Cluster(workers: 2, label: "decomposed")
        defer { cluster.stop() }
        let directory = cluster.directory
        func out(_ name: String) -> URL { directory.appendingPathComponent(name) }
        let inProcess = try runProgram(ChildProcess.binary, Self.common + ["--decomposed", "3", "--out", out("in-process").path])
        try #require(inProcess.status == 0, "in-process decomposed: \(inProcess.standardError)")
        let whole = try runProgram(ChildProcess.binary, Self.common + ["--threads", "1", "--out", out("whole").path])
        try #require(whole.status == 0, "whole phantom: \(whole.standardError)")
        // Two embedded workers share one executor, which samples each batch's source once for every slab
        // it has run (BatchSources): the same particles as each slab sampling its own.
        let embedded = try runProgram(
            ChildProcess.binary, Self.common + ["--decomposed", "3", "--workers", "2", "--out", out("embedded").path])
        try #require(embedded.status == 0, "embedded decomposed: \(embedded.standardError)")
        #expect(
            (try Data(contentsOf: out("embedded").appendingPathComponent("dose.3ddose")))
                == (try Data(contentsOf: out("in-process").appendingPathComponent("dose.3ddose"))))

        // The client runs until its job is done: a child with a bounded wait (reaped, killed on the deadline).
        let clientErrors = out("simulate.err")
        let client = try SpawnedProcess(
            ChildProcess.binary,
            Self.common + ["--decomposed", "3", "--coordinator", cluster.endpoint, "--out", out("cluster").path],
            standardError: .file(clientErrors))
        defer { _ = client.waitOrKill(timeout: .zero) }
        let context = try Context()
        let status = try ClusterClient(context: context, endpoint: cluster.endpoint, timeout: .seconds(10))
        // Both workers hold a unit of an open batch and at least one batch is folded: mid-job, mid-round.
        let before = try Self.waitForJob(status, timeout: .seconds(120)) {
            $0.state.isFinal || ($0.unitsDone >= 1 && $0.unitsRunning >= 2)
        }
        try #require(before.state == .running, "the job ended before the kill: \(before)")
        cluster.workers[0].kill(SIGKILL)
        let ended = client.waitOrKill(timeout: .seconds(180))
        let clientLog = (try? String(contentsOf: clientErrors, encoding: .utf8)) ?? ""
        try #require(
            ended == .exited(0),
            "simulate on the cluster: \(String(describing: ended)) \(clientLog); coordinator:\n\(cluster.coordinator.errorLog)")
        let dose = try Data(contentsOf: out("cluster").appendingPathComponent("dose.3ddose"))
        #expect(dose.count > 1_000)
        #expect(dose == (try Data(contentsOf: out("in-process").appendingPathComponent("dose.3ddose"))))
        #expect(
            (try Data(contentsOf: out("cluster").appendingPathComponent("dose.npy")))
                == (try Data(contentsOf: out("whole").appendingPathComponent("dose.npy"))))
        let log = cluster.coordinator.errorLog
        #expect(log.contains("lost"), "the killed worker was never declared lost:\n\(log)")
        #expect(log.contains("job 1 completed"))
    }

    @Test("A coordinator SIGKILLed mid-round and restarted resumes a decomposed job from its store (rows + bank files): exact tally")
    func coordinatorKilledMidRound() throws {
        var cluster = try ClusterProcessTests.Cluster(workers: 2, label: "decomposed-restart")
        defer { cluster.stop() }
        // Synthetic walkers across 3 slabs, 120 ms per unit so that the kill lands mid-job.
        let layout = try SlabLayout(countX: 16, countY: 16, countZ: 12, planesPerSlab: 3)
        let inputs = [4, 4, 4].enumerated().map { slab, planes in
            (0..<planes * 256).map { UInt8(truncatingIfNeeded: $0 * 5 + slab) % 3 }
        }
        let spec = JobSpec(
            workload: SyntheticWorkload.name, layout: layout, seed: 99, historyCount: 4_000, historiesPerUnit: 4_000,
            inputs: inputs.map { ContentDigest(of: $0) }, parameters: SyntheticWorkload.parameters(unitDelayMS: 120),
            decomposition: Decomposition(firstPlanes: [0, 4, 8], batches: 10, slabInputs: [0, 1, 2]))
        let reference = try SyntheticWorkload.decomposedReference(spec, weights: inputs.flatMap { $0 })
        let context = try Context()
        var client = try cluster.client(context)
        let job = try client.submit(spec, inputs: inputs)
        let before = try ClusterProcessTests.waitFor(client, job: job) { $0.state.isFinal || $0.unitsDone >= 3 }
        try #require(before.state == .running, "the job ended before the kill: \(before)")
        cluster.coordinator.kill(SIGKILL)
        Thread.sleep(forTimeInterval: 1)
        try cluster.restartCoordinator()
        client = try cluster.client(context)
        let resumed = try #require(try client.status(jobID: job).first)
        #expect(resumed.unitsDone >= before.unitsDone)
        let final = try? ClusterProcessTests.waitFor(client, job: job, timeout: .seconds(120)) { $0.state.isFinal }
        try #require(
            final?.state == .completed,
            "\(String(describing: final)); coordinator:\n\(cluster.coordinator.errorLog)\nworker 0:\n\(cluster.workers[0].errorLog)")
        let tally = MergedTally(try client.fetch(jobID: job).tally)
        #expect(tally == reference, "restarted coordinator:\n\(cluster.coordinator.errorLog)")
        #expect(cluster.coordinator.errorLog.contains("resumed job \(job)"))
        let banks = cluster.directory.appendingPathComponent("state/banks")
        #expect(try FileManager.default.contentsOfDirectory(atPath: banks.path).isEmpty, "banks left after the job")
    }
}

