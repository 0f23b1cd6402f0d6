import Dispatch
import Foundation
import Logging
import Synchronization
import Testing
import TestSupport
import ZeroMQ

@testable import Cluster

@Suite("Checkpoints are written off the coordinator's loop")
struct CheckpointWriterTests {
    /// Holds the first checkpoint write until released (bounded: after 60 s it lets go by itself, and
    /// the test has failed by then).
    final class Gate: Sendable {
        let entered = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        private let first = Atomic<Bool>(true)

        func pass() {
            guard first.exchange(false, ordering: .acquiringAndReleasing) else { return }
            entered.signal()
            _ = released.wait(timeout: .now() + 60)
        }
    }

    @Test("While a checkpoint write is held, the loop keeps serving: two jobs run to the end; then restore gives them exactly")
    func loopServesWhileACheckpointIsWritten() throws {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-checkpoint-writer")
        defer { try? FileManager.default.removeItem(at: directory) }
        let gate = Gate()
        let context = try Context()
        let stop = StopSignal()
        let ready = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        let endpoint = Mutex<String?>(nil), failure = Mutex<String?>(nil)
        let store = try JobStore(directory: directory)
        Thread {
            defer { done.signal() }
            do {
                let server = try CoordinatorServer(
                    context: context, endpoint: "inproc://checkpoint-writer", store: store,
                    policy: EmbeddedClusterTests.fast, logger: EmbeddedClusterTests.logger,
                    checkpointInterval: .milliseconds(20))
                server.beforeEachCheckpointWrite = gate.pass
                endpoint.withLock { $0 = server.endpoint }
                ready.signal()
                try server.run(until: stop)
            } catch {
                failure.withLock { $0 = "\(error)" }
                ready.signal()
            }
        }.start()
        #expect(ready.wait(timeout: .now() + 30) == .success)
        let bound = try #require(endpoint.withLock { $0 })
        Thread {
            defer { done.signal() }
            let worker = try? WorkerClient(
                context: context, endpoint: bound, executor: SyntheticWorkload(), threads: 1, name: "checkpoint",
                policy: EmbeddedClusterTests.fast, logger: EmbeddedClusterTests.logger)
            _ = try? worker?.run(until: stop)
        }.start()
        let stopped = Atomic<Bool>(false)
        func shutdown() {
            guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
            gate.released.signal()
            stop.raise()
            // Bounded: each loop polls at most 100 ms between looks at `stop`.
            #expect(done.wait(timeout: .now() + 60) == .success)
            #expect(done.wait(timeout: .now() + 60) == .success)
        }
        defer { shutdown() }
        let client = try ClusterClient(context: context, endpoint: bound)
        let first = Samples.spec(histories: 2_000, perUnit: 100, parameters: SyntheticWorkload.parameters(unitDelayMS: 10))
        let second = Samples.spec(histories: 600, perUnit: 100)
        let firstJob = try client.submit(first)
        // The first checkpoint of the running job is now in the writer, held there.
        try #require(gate.entered.wait(timeout: .now() + 30) == .success)
        // Every reply below needs the loop: were it writing the held checkpoint itself, the first
        // request would time out (10 s) and the worker would be declared lost.
        #expect(try client.wait(jobID: firstJob, every: .milliseconds(20)).state == .completed)
        let secondJob = try client.submit(second)
        #expect(try client.wait(jobID: secondJob, every: .milliseconds(20)).state == .completed)
        #expect(try client.status().first { $0.jobID == firstJob }?.workersAlive == 1)
        #expect(MergedTally(try client.fetch(jobID: firstJob).tally) == ManualCluster.reference(first))
        #expect(MergedTally(try client.fetch(jobID: secondJob).tally) == ManualCluster.reference(second))

        shutdown()
        #expect(failure.withLock { $0 } == nil)
        // Both jobs' final checkpoints were written (after the held one), and restore gives them whole.
        for (id, spec) in [(firstJob, first), (secondJob, second)] {
            let checkpoint = try TallyCheckpoint.read(from: store.checkpointURL(jobID: id))
            #expect(checkpoint.tally == ManualCluster.reference(spec))
        }
        let (jobs, _) = try JobStore(directory: directory).restore()
        #expect(jobs.map(\.state) == [.completed, .completed])
        #expect(jobs.map(\.tally) == [ManualCluster.reference(first), ManualCluster.reference(second)])
    }
}
