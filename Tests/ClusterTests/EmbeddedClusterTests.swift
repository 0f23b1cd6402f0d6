import Foundation
import Synchronization
import Logging
import Testing
import TestSupport
import ZeroMQ

@testable import Cluster

@Suite("Embedded cluster (coordinator and workers in one process, real sockets)")
struct EmbeddedClusterTests {
    static let logger = Logger(label: "test")
    static let fast = LivenessPolicy(
        heartbeatInterval: .milliseconds(100), liveness: 3, reconnectInitial: .milliseconds(100),
        reconnectMaximum: .seconds(1), maximumAttempts: 3)

    @Test("inproc:// with 1 and 3 workers gives the directly merged tally", arguments: [1, 3])
    func inproc(workers: Int) throws {
        let cluster = try EmbeddedCluster(workers: workers, threadsPerWorker: 2, executor: SyntheticWorkload(), policy: Self.fast, logger: Self.logger)
        defer { cluster.shutdown() }
        let client = try ClusterClient(context: cluster.context, endpoint: cluster.endpoint)
        let spec = Samples.spec(histories: 2_000, perUnit: 150)
        let job = try client.submit(spec)
        #expect(try client.wait(jobID: job, every: .milliseconds(20)).state == .completed)
        #expect(MergedTally(try client.fetch(jobID: job).tally) == ManualCluster.reference(spec))
    }

    @Test("Inputs travel by digest over the real loops; a job with an unknown job id is refused")
    func blobsAndErrors() throws {
        let cluster = try EmbeddedCluster(workers: 2, executor: SyntheticWorkload(), policy: Self.fast, logger: Self.logger)
        defer { cluster.shutdown() }
        let client = try ClusterClient(context: cluster.context, endpoint: cluster.endpoint)
        let weights = (0..<Samples.layout.voxelCount).map { UInt8($0 % 5) }
        let digest = ContentDigest(of: weights)
        let spec = Samples.spec(inputs: [digest])
        let job = try client.submit(spec, inputs: [weights])
        #expect(try client.wait(jobID: job, every: .milliseconds(20)).state == .completed)
        #expect(MergedTally(try client.fetch(jobID: job).tally) == ManualCluster.reference(spec, inputs: [digest: weights]))
        #expect(throws: ClusterError.self) { try client.fetch(jobID: 42) }
        #expect(throws: ClusterError.self) { try client.cancel(jobID: 42) }
    }

    @Test("A coordinator over tcp:// with CURVE serves only the workers and clients whose keys it allows")
    func curve() throws {
        let keys = try CurveKeyPair.generate()
        let workerKeys = try CurveKeyPair.generate(), clientKeys = try CurveKeyPair.generate()
        let context = try Context()
        let stop = StopSignal()
        let ready = DispatchSemaphore(value: 0)
        let endpoint = Mutex<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            defer { done.signal() }
            guard let server = try? CoordinatorServer(
                context: context, endpoint: "tcp://127.0.0.1:*", store: nil, policy: Self.fast, curve: .server(keys),
                allowedClientKeys: [workerKeys.publicKey, clientKeys.publicKey], logger: Self.logger)
            else { ready.signal(); return }
            endpoint.withLock { $0 = server.endpoint }
            ready.signal()
            try? server.run(until: stop)
        }.start()
        ready.wait()
        let bound = try #require(endpoint.withLock { $0 })
        Thread {
            defer { done.signal() }
            let worker = try? WorkerClient(
                context: context, endpoint: bound, executor: SyntheticWorkload(), threads: 1, name: "curve",
                policy: Self.fast, curve: .client(workerKeys, serverPublicKey: keys.publicKey), logger: Self.logger)
            _ = try? worker?.run(until: stop)
        }.start()
        defer {
            stop.raise()
            done.wait()
            done.wait()
        }
        let client = try ClusterClient(
            context: context, endpoint: bound, curve: .client(clientKeys, serverPublicKey: keys.publicKey))
        let spec = Samples.spec(histories: 300, perUnit: 100)
        let job = try client.submit(spec)
        #expect(try client.wait(jobID: job, every: .milliseconds(20)).state == .completed)
        #expect(MergedTally(try client.fetch(jobID: job).tally) == ManualCluster.reference(spec))
        // A client that believes another server key, or whose own key is not allowed, never gets an answer.
        for curve in [
            CurveSettings.client(clientKeys, serverPublicKey: try CurveKeyPair.generate().publicKey),
            CurveSettings.client(try CurveKeyPair.generate(), serverPublicKey: keys.publicKey),
        ] {
            let impostor = try ClusterClient(context: context, endpoint: bound, curve: curve, timeout: .milliseconds(500))
            #expect(throws: ClusterError.timeout("no reply to STATUS_REQUEST within 0.5 seconds")) { try impostor.status() }
        }
    }

    @Test("An embedded coordinator with a state directory resumes a job after it is stopped mid-way")
    func resumeFromState() throws {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-embedded")
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = Samples.spec(histories: 2_000, perUnit: 100, parameters: SyntheticWorkload.parameters(unitDelayMS: 20))
        var job: UInt64 = 0
        do {
            let cluster = try EmbeddedCluster(
                workers: 1, executor: SyntheticWorkload(), store: try JobStore(directory: directory), policy: Self.fast,
                logger: Self.logger)
            let client = try ClusterClient(context: cluster.context, endpoint: cluster.endpoint)
            job = try client.submit(spec)
            while try client.status(jobID: job).first!.unitsDone < 5 { Thread.sleep(forTimeInterval: 0.01) }
            cluster.shutdown()
        }
        let cluster = try EmbeddedCluster(
            workers: 2, executor: SyntheticWorkload(), store: try JobStore(directory: directory), policy: Self.fast,
            logger: Self.logger)
        defer { cluster.shutdown() }
        let client = try ClusterClient(context: cluster.context, endpoint: cluster.endpoint)
        #expect(try client.status(jobID: job).first!.unitsDone >= 5)
        #expect(try client.wait(jobID: job, every: .milliseconds(20)).state == .completed)
        #expect(MergedTally(try client.fetch(jobID: job).tally) == ManualCluster.reference(spec))
    }
}
