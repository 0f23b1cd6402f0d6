import Cluster
import Foundation
import Testing
import TestSupport
import ZeroMQ

/// Real `penumbra coordinator` and `penumbra worker` processes on 127.0.0.1, killed with SIGKILL
/// mid-job: the merged tallies must be bit-identical to merging every unit directly (invariant 1),
/// and nothing committed may be lost or redone (invariant 5).
@Suite("Cluster processes on loopback", .serialized)
struct ClusterProcessTests {
    /// 20 units of 100 ms each (the synthetic workload's delay knob), so that a kill lands mid-job.
    static let spec = JobSpec(
        workload: SyntheticWorkload.name,
        layout: try! SlabLayout(countX: 16, countY: 16, countZ: 12, planesPerSlab: 3),
        seed: 20_261_129, historyCount: 20_000, historiesPerUnit: 1_000,
        parameters: SyntheticWorkload.parameters(unitDelayMS: 150))

    /// Every unit merged directly, in one process: what the cluster must reproduce bit for bit.
    static let reference: MergedTally = {
        var tally = MergedTally(layout: spec.layout)
        for index in 0..<spec.unitCount {
            let unit = WorkUnit(
                key: UnitKey(jobID: 1, index: UInt32(index)), attempt: 0, spec: spec,
                histories: spec.histories(ofUnit: index))
            try! tally.add(SyntheticWorkload().execute(unit, inputs: [:], threads: 1))
        }
        return tally
    }()

    static let heartbeat = ["--heartbeat-ms", "200", "--log-level", "info"]

    struct Cluster {
        let directory: URL
        var coordinator: ChildProcess
        var workers: [ChildProcess] = []
        let endpoint: String

        init(workers count: Int, label: String) throws {
            directory = try TestEnvironment.makeScratchDirectory("penumbra-cluster-\(label)")
            coordinator = try ChildProcess(
                ["coordinator", "--bind", "tcp://127.0.0.1:*", "--state", directory.appendingPathComponent("state").path]
                    + heartbeat, logsIn: directory, name: "coordinator")
            endpoint = try coordinator.firstLine()
            for n in 0..<count { try addWorker(n) }
        }

        mutating func addWorker(_ n: Int) throws {
            workers.append(
                try ChildProcess(["worker", "--connect", endpoint] + heartbeat, logsIn: directory, name: "worker-\(n)"))
        }

        /// Restarts the coordinator on the same port and state directory.
        mutating func restartCoordinator() throws {
            coordinator = try ChildProcess(
                ["coordinator", "--bind", endpoint, "--state", directory.appendingPathComponent("state").path] + heartbeat,
                logsIn: directory, name: "coordinator-2")
            #expect(try coordinator.firstLine() == endpoint)
        }

        func client(_ context: Context) throws -> ClusterClient {
            try ClusterClient(context: context, endpoint: endpoint, timeout: .seconds(10))
        }

        /// Stops every process with SIGTERM; each must exit cleanly (an operator's `kill` or Slurm's
        /// cancel sends SIGTERM), not only when SIGKILLed.
        func stop() {
            for worker in workers {
                #expect(worker.kill(SIGTERM), "a worker did not exit within 20 s of SIGTERM:\n\(worker.errorLog)")
            }
            #expect(coordinator.kill(SIGTERM), "the coordinator did not exit within 20 s of SIGTERM:\n\(coordinator.errorLog)")
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Waits until `condition` holds for the job's status, polling.
    static func waitFor(_ client: ClusterClient, job: UInt64, timeout: Duration = .seconds(60), _ condition: (JobStatus) -> Bool)
        throws -> JobStatus
    {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = try client.status(jobID: job).first, condition(status) { return status }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ClusterError.timeout("job \(job) did not reach the expected state")
    }

    enum Scenario: String, CaseIterable { case oneWorker, twoWorkers, twoWorkersOneKilled }

    @Test("1 worker, 2 workers, and 2 workers with one SIGKILLed mid-job give bit-identical tallies", arguments: Scenario.allCases)
    func workersAndKills(scenario: Scenario) throws {
        var cluster = try Cluster(workers: scenario == .oneWorker ? 1 : 2, label: scenario.rawValue)
        defer { cluster.stop() }
        let context = try Context()
        let client = try cluster.client(context)
        let job = try client.submit(Self.spec)
        if scenario == .twoWorkersOneKilled {
            // Units running count units of spans: both workers are busy once more than one unit is out.
            _ = try Self.waitFor(client, job: job) { $0.unitsDone >= 3 && $0.unitsRunning >= 2 }
            cluster.workers[0].kill(SIGKILL)
        }
        let final = try Self.waitFor(client, job: job) { $0.state.isFinal }
        #expect(final.state == .completed)
        let (state, sparse, _) = try client.fetch(jobID: job)
        let tally = MergedTally(sparse)
        #expect(state == .completed)
        #expect(tally == Self.reference, "stderr of the coordinator:\n\(cluster.coordinator.errorLog)")
        if scenario == .twoWorkersOneKilled {
            #expect(cluster.coordinator.errorLog.contains("re-queued"))
        }
    }

    @Test("A coordinator SIGKILLed mid-job and restarted resumes without losing or redoing committed units")
    func coordinatorKilledAndRestarted() throws {
        var cluster = try Cluster(workers: 2, label: "restart")
        defer { cluster.stop() }
        let context = try Context()
        var client = try cluster.client(context)
        // Longer units (the delay does not change the tallies), so the kill lands well before the end.
        var spec = Self.spec
        spec.parameters = SyntheticWorkload.parameters(unitDelayMS: 400)
        let job = try client.submit(spec)
        let before = try Self.waitFor(client, job: job) { $0.unitsDone >= 4 }
        cluster.coordinator.kill(SIGKILL)
        // Let the workers notice (3 heartbeats of 200 ms) and start backing off.
        Thread.sleep(forTimeInterval: 1)
        try cluster.restartCoordinator()
        client = try cluster.client(context)
        let resumed = try #require(try client.status(jobID: job).first)
        // Everything reported done before the kill was committed, so it is still done.
        #expect(resumed.unitsDone >= before.unitsDone)
        #expect(resumed.state == .running)
        let final = try Self.waitFor(client, job: job) { $0.state.isFinal }
        #expect(final.state == .completed)
        let tally = MergedTally(try client.fetch(jobID: job).tally)
        #expect(tally == Self.reference, "stderr of the restarted coordinator:\n\(cluster.coordinator.errorLog)\nworker 0:\n\(cluster.workers[0].errorLog)\nworker 1:\n\(cluster.workers[1].errorLog)")
        #expect(cluster.coordinator.errorLog.contains("resumed job \(job)"))
        #expect(cluster.coordinator.errorLog.contains("joined"))
    }

    @Test("Garbage, truncated, foreign-version and oversized frames are refused and the coordinator keeps serving")
    func hostileFrames() throws {
        var cluster = try Cluster(workers: 1, label: "garbage")
        defer { cluster.stop() }
        let context = try Context()

        // Not ZeroMQ at all: raw bytes on the TCP port.
        let port = UInt16(cluster.endpoint.split(separator: ":").last!)!
        try Self.sendRawTCP(port: port, Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8) + (0..<4_096).map { UInt8($0 % 251) })

        // ZeroMQ peers sending frames that are not Penumbra messages get a DISCONNECT saying why.
        // 10 s for an answer that must come (a loaded CI machine), 2 s for one that must not.
        func reply(to frames: [[UInt8]], waitMS: Int32 = 10_000) throws -> WireMessage? {
            let peer = try Socket(context, .dealer)
            try peer.connect(cluster.endpoint)
            try peer.send(frames)
            try peer.setReceiveTimeout(milliseconds: waitMS)
            return try peer.receive().map { try WireCodec.decode($0) }
        }
        guard case .disconnect(.protocolError, let garbage)? = try reply(to: [[0xDE, 0xAD, 0xBE, 0xEF, 0, 1]]) else {
            Issue.record("garbage was not refused")
            return
        }
        #expect(garbage.contains("not a Penumbra message"))
        let submit = WireCodec.encode(.submit(requestID: 1, spec: Self.spec, inputs: []))
        guard case .disconnect(.protocolError, let truncated)? = try reply(to: [Array(submit[0].prefix(30))]) else {
            Issue.record("a truncated SUBMIT was not refused")
            return
        }
        #expect(truncated.contains("truncated"))
        var future = WireCodec.encode(.ready(WorkerHello(name: "future", threads: 1, workloads: ["synthetic"])))
        future[0][4] = 9
        guard case .disconnect(.incompatibleVersion, let version)? = try reply(to: future) else {
            Issue.record("a foreign protocol version was not refused")
            return
        }
        #expect(version.contains("version 9"))
        // Over the frame limit: libzmq drops the connection before the frame is read; no reply.
        #expect(try reply(to: [[UInt8](repeating: 7, count: WireLimits.maximumFrameBytes + 1)], waitMS: 2_000) == nil)

        // Still serving: a job runs to the end with the right tallies.
        let client = try cluster.client(context)
        var small = Self.spec
        small.parameters = []
        let job = try client.submit(small)
        let final = try Self.waitFor(client, job: job) { $0.state.isFinal }
        #expect(final.state == .completed)
        #expect(MergedTally(try client.fetch(jobID: job).tally) == Self.reference)
        #expect(cluster.coordinator.errorLog.contains("refused"))
    }

    /// Connects to 127.0.0.1:`port`, writes `bytes`, and closes.
    static func sendRawTCP(port: UInt16, _ bytes: [UInt8]) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClusterError.storage("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ClusterError.storage("connect to port \(port) failed") }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    @Test("CURVE end to end: keygen, an allow-list, a listed worker and client work, an unlisted worker never joins")
    func curveWithAllowedKeys() throws {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-curve")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = directory.appendingPathComponent("keys")
        func keygen(_ name: String) throws -> String {
            let output = try runProgram(ChildProcess.binary, ["keygen", name, "--out", keys.path])
            #expect(output.status == 0, "\(output.standardError)")
            return output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let server = try keygen("coordinator"), workerKey = try keygen("worker"), clientKey = try keygen("client")
        _ = try keygen("stranger")
        let secretMode = try FileManager.default.attributesOfItem(atPath: keys.appendingPathComponent("worker.key").path)[.posixPermissions] as? Int
        #expect(secretMode == 0o600)
        let allowed = directory.appendingPathComponent("allowed")
        try "# workers and clients\n\(workerKey)\n\(clientKey)\n".write(to: allowed, atomically: true, encoding: .utf8)

        let coordinator = try ChildProcess(
            ["coordinator", "--bind", "tcp://127.0.0.1:*", "--state", directory.appendingPathComponent("state").path,
             "--curve-secret-key-file", keys.appendingPathComponent("coordinator.key").path, "--allowed-keys", allowed.path]
                + Self.heartbeat, logsIn: directory, name: "coordinator")
        defer { coordinator.kill(SIGTERM) }
        let endpoint = try coordinator.firstLine()
        func startWorker(_ name: String) throws -> ChildProcess {
            try ChildProcess(
                ["worker", "--connect", endpoint, "--server-key", server, "--curve-key-file",
                 keys.appendingPathComponent("\(name).key").path] + Self.heartbeat, logsIn: directory, name: name)
        }
        let stranger = try startWorker("stranger")
        defer { stranger.kill(SIGTERM) }
        let listed = try startWorker("worker")
        defer { listed.kill(SIGTERM) }
        var spec = Self.spec
        spec.parameters = []
        let output = try runProgram(
            ChildProcess.binary,
            ["submit", "--coordinator", endpoint, "--server-key", server, "--curve-key-file",
             keys.appendingPathComponent("client.key").path, "--grid", "16x16x12", "--slab-planes", "3",
             "--histories", "20000", "--histories-per-unit", "1000", "--seed", "\(spec.seed)",
             "--out", directory.appendingPathComponent("result").path, "--log-level", "error"])
        #expect(output.status == 0, "\(output.standardError)")
        let tally = try TallyCheckpoint.read(from: directory.appendingPathComponent("result/tally.pntally")).tally
        #expect(tally == Self.reference)
        #expect(coordinator.errorLog.contains("refused a CURVE client"))
        #expect(coordinator.errorLog.components(separatedBy: "joined").count == 2, "only the listed worker joins")
    }

    @Test("simulate on a cluster of two worker processes, on one embedded worker, and in one process: byte-identical dose.3ddose")
    func simulateOnCluster() throws {
        let cluster = try Cluster(workers: 2, label: "simulate")
        defer { cluster.stop() }
        let phantom = TestEnvironment.reference("phantoms/water.egsphant")
        let common = [
            "simulate", "--phantom", phantom.path, "--energy", "2", "--field=-2.5,2.5,-2.5,2.5", "--histories", "4000",
            "--seed", "11", "--log-level", "error",
        ]
        var doses: [String: Data] = [:]
        for (name, extra) in [
            ("single process", ["--threads", "1"]), ("1 embedded worker", ["--workers", "1"]),
            ("2 worker processes", ["--coordinator", cluster.endpoint]),
        ] {
            let out = cluster.directory.appendingPathComponent(name.replacingOccurrences(of: " ", with: "-"))
            let run = try runProgram(ChildProcess.binary, common + extra + ["--out", out.path])
            #expect(run.status == 0, "\(name): \(run.standardError)")
            doses[name] = try Data(contentsOf: out.appendingPathComponent("dose.3ddose"))
            // One thread's tally, 32 bytes per voxel of the 223 260-voxel water phantom: this process's engine's,
            // or what the workers reported with their results.
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
            #expect((summary as? [String: Any])?["tallyBytesPerThread"] as? Int == 223_260 * 32, "\(name)")
        }
        #expect(doses["single process"]!.count > 1_000)
        #expect(doses["1 embedded worker"] == doses["single process"])
        #expect(doses["2 worker processes"] == doses["single process"])
        #expect(cluster.coordinator.errorLog.contains("job 1 completed"))
    }

    @Test("run on a cluster of two worker processes and on one embedded worker: byte-identical dose.3ddose, same stop")
    func runOnCluster() throws {
        let cluster = try Cluster(workers: 2, label: "run")
        defer { cluster.stop() }
        let example = try runProgram(ChildProcess.binary, ["example", "thorax", "--out", cluster.directory.appendingPathComponent("thorax").path])
        try #require(example.status == 0, "penumbra example: \(example.standardError)")
        let common = [
            "run", "--plan", cluster.directory.appendingPathComponent("thorax/RTPLAN.dcm").path, "--water-phantom", "20x20x20",
            "--dose-voxel", "2", "--uncertainty", "10%", "--seed", "5", "--log-level", "error",
        ]
        var outputs: [String: (dose: Data, summary: [String: Any])] = [:]
        let runs = [
            ("1 embedded worker", ["--workers", "1"]), ("2 embedded workers", ["--workers", "2"]),
            ("2 worker processes", ["--coordinator", cluster.endpoint]),
        ]
        for (name, extra) in runs {
            let out = cluster.directory.appendingPathComponent(name.replacingOccurrences(of: " ", with: "-"))
            let run = try runProgram(ChildProcess.binary, common + extra + ["--out", out.path])
            try #require(run.status == 0, "\(name): \(run.standardError)")
            let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("summary.json")))
            outputs[name] = (try Data(contentsOf: out.appendingPathComponent("dose.3ddose")), summary as? [String: Any] ?? [:])
        }
        let embedded = try #require(outputs["1 embedded worker"]), remote = try #require(outputs["2 worker processes"])
        #expect(embedded.dose.count > 1_000)
        #expect(remote.dose == embedded.dose)
        #expect(remote.summary["histories"] as? Int == embedded.summary["histories"] as? Int)
        #expect((embedded.summary["meanRelativeUncertaintyAboveHalfMax"] as? Double ?? 1) <= 0.10)
        // `penumbra run` decides the stop between its rounds (one job each, ClusterPlanDose): the same rounds on both.
        #expect(remote.summary["rounds"] as? [Int] == embedded.summary["rounds"] as? [Int])
        let two = try #require(outputs["2 embedded workers"])
        #expect(two.dose == embedded.dose)
        // Every worker reports its tally memory per thread with its results, embedded or remote: 32 bytes per
        // voxel of a beam's 10 × 10 × 10 grid (the beams share the threads' tallies), and the 4 KiB blocks the
        // histories wrote.
        for (name, output) in [("1 embedded worker", embedded), ("2 embedded workers", two), ("2 worker processes", remote)] {
            #expect(output.summary["tallyBytesPerThread"] as? Int == 1_000 * 32, "\(name)")
            let touched = output.summary["tallyTouchedBytesPerThread"] as? Int ?? 0
            #expect(touched > 0 && touched % 4_096 == 0 && touched <= 1_000 * 32 + 4_096, "\(name): \(touched)")
        }
        #expect(cluster.coordinator.errorLog.contains("job 1 completed"))
        // The plan's patient (ExamplePatients.ThoraxExample) travelled inside the RT Plan blob; no log names them.
        for process in [cluster.coordinator] + cluster.workers {
            for identity in ["PENUMBRA^THORAX", "PENUMBRA-THORAX-01"] {
                #expect(!process.errorLog.contains(identity), "\(process) logged the patient's \(identity)")
            }
        }
    }

    @Test("Plain TCP off loopback is refused unless --allow-plaintext is given, by the coordinator and by workers")
    func plaintextOnlyOnLoopback() throws {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-plaintext")
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state").path
        let coordinator = try runProgram(
            ChildProcess.binary, ["coordinator", "--bind", "tcp://0.0.0.0:*", "--state", state], timeout: .seconds(60))
        #expect(coordinator.status != 0)
        #expect(coordinator.standardError.contains("is not on loopback: pass --curve-secret-key-file, or --allow-plaintext"))
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): nothing there; the worker must refuse before connecting.
        for command in [["worker", "--connect", "tcp://192.0.2.1:5555"], ["status", "--coordinator", "tcp://192.0.2.1:5555"]] {
            let refused = try runProgram(ChildProcess.binary, command, timeout: .seconds(60))
            #expect(refused.status != 0)
            #expect(refused.standardError.contains("is not on loopback: pass --server-key"), "\(command[0]): \(refused.standardError)")
        }
        let allowed = try ChildProcess(
            ["coordinator", "--bind", "tcp://0.0.0.0:*", "--state", state, "--allow-plaintext"], logsIn: directory,
            name: "coordinator")
        #expect(try allowed.firstLine().hasPrefix("tcp://0.0.0.0:"))
        #expect(allowed.kill(SIGTERM))
    }
}
