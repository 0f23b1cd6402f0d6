import Testing

@testable import Cluster

@Suite("Coordinator and worker state machines (manual clock, no sockets)")
struct StateMachineTests {
    static let spec = Samples.spec(histories: 1_000, perUnit: 100)

    @Test("Two workers finish a job; the merged tally equals merging every unit directly")
    func happyPath() {
        var cluster = ManualCluster()
        cluster.addWorker("a")
        cluster.addWorker("b")
        cluster.submit(Self.spec)
        let job = cluster.coordinator.jobs[1]!
        #expect(job.state == .completed)
        #expect(job.tally == ManualCluster.reference(Self.spec))
        #expect(cluster.persisted.count == 10)
        #expect(cluster.checkpoints == [1])
        #expect(cluster.replies.contains(.submitted(requestID: 1, jobID: 1)))
    }

    @Test("A worker that dies mid-unit loses its unit after heartbeat expiry; another worker runs it")
    func workerDiesMidUnit() {
        var cluster = ManualCluster()
        cluster.addWorker("a")
        cluster.nodes["a"]!.fast = false
        cluster.submit(Self.spec)
        let lost = cluster.nodes["a"]!.running!.key
        cluster.nodes["a"]!.alive = false
        cluster.addWorker("b")
        // b runs everything else; a's unit stays out until a is declared dead.
        #expect(cluster.coordinator.jobs[1]!.unitsDone == 9)
        cluster.advance(by: .milliseconds(2_900))
        #expect(cluster.coordinator.jobs[1]!.unitsDone == 9)
        cluster.advance(by: .milliseconds(200))
        #expect(cluster.events.contains(.unitRequeued(lost, reason: "worker \(PeerID(Array("a#0".utf8))) silent for 3 heartbeat intervals")))
        #expect(cluster.coordinator.jobs[1]!.state == .completed)
        #expect(cluster.coordinator.jobs[1]!.tally == ManualCluster.reference(Self.spec))
    }

    @Test("A late duplicate RESULT is ignored and never counted twice")
    func lateDuplicate() {
        var cluster = ManualCluster()
        cluster.addWorker("a")
        cluster.nodes["a"]!.fast = false
        cluster.submit(Self.spec)
        cluster.nodes["a"]!.alive = false
        cluster.addWorker("b")
        cluster.advance(by: .seconds(4))
        let finished = cluster.coordinator.jobs[1]!
        #expect(finished.state == .completed)
        // a wakes up and delivers its stale result on its old connection.
        cluster.nodes["a"]!.alive = true
        let lost = cluster.nodes["a"]!.running!.key
        cluster.complete("a")
        cluster.settle()
        #expect(cluster.events.contains(.duplicateResultIgnored(lost, from: PeerID(Array("a#0".utf8)))))
        #expect(cluster.coordinator.jobs[1]! == finished)
        #expect(cluster.persisted.count == 10)
    }

    @Test("A duplicate RESULT for a unit still running elsewhere is merged once, from whoever is first")
    func duplicateWhileRunning() {
        var coordinator = Coordinator(policy: ManualCluster.policy)
        let client = PeerID([1])
        _ = coordinator.received(.submit(requestID: 1, spec: Self.spec, inputs: []), from: client, at: .zero)
        let a = PeerID([2])
        let assigned = coordinator.received(.ready(Samples.hello), from: a, at: .zero)
        guard case .send(.assign(let unit), to: a) = assigned.last else {
            Issue.record("expected an ASSIGN, got \(assigned)")
            return
        }
        let result = Samples.result(Self.spec, index: Int(unit.key.index))
        let first = coordinator.received(.result(result), from: a, at: .seconds(1))
        #expect(first.contains(.persistResult(result)))
        let second = coordinator.received(.result(result), from: a, at: .seconds(1))
        #expect(!second.contains(.persistResult(result)))
        #expect(second.contains(.event(.duplicateResultIgnored(result.key, from: a))))
        #expect(coordinator.jobs[1]!.tally.historyCount == 100)
    }

    @Test("A worker of another protocol version (a v4 worker, older ones) is refused with a reason and stops", arguments: [UInt16(4), 3, 2, 1])
    func wrongVersion(version: UInt16) {
        var cluster = ManualCluster()
        cluster.addWorker("old", version: version)
        guard case .workerRefused(_, let reason) = cluster.events.first else {
            Issue.record("no refusal in \(cluster.events)")
            return
        }
        #expect(reason.contains("worker speaks protocol version \(version)"))
        #expect(reason.contains("this coordinator speaks version 5"))
        #expect(cluster.coordinator.workerCount == 0)
        // The worker side: a fatal DISCONNECT stops it for good.
        var worker = WorkerMachine(policy: ManualCluster.policy, name: "w", threads: 1, workloads: [])
        _ = worker.start(at: .zero)
        #expect(worker.received(.disconnect(.incompatibleVersion, reason: reason), at: .zero) == [.stop(reason: reason)])
        #expect(worker.tick(at: .seconds(100)) == [])
    }

    @Test("A slow worker does not starve the others: they take every other unit")
    func slowWorker() {
        var cluster = ManualCluster()
        cluster.addWorker("slow")
        cluster.nodes["slow"]!.fast = false
        cluster.addWorker("fast")
        cluster.submit(Self.spec)
        // The slow worker keeps heartbeating for a minute without finishing.
        cluster.advance(by: .seconds(60))
        let job = cluster.coordinator.jobs[1]!
        #expect(job.unitsDone == 9)
        #expect(job.unitsRunning == 1)
        #expect(cluster.coordinator.workerCount == 2)
        cluster.complete("slow")
        cluster.settle()
        #expect(cluster.coordinator.jobs[1]!.state == .completed)
        #expect(cluster.coordinator.jobs[1]!.tally == ManualCluster.reference(Self.spec))
    }

    @Test("Spans shrink as a job nears its end (factoring): two workers of equal pace finish within one unit of each other")
    func spansEndTogether() throws {
        let spec = Samples.spec(histories: 20_000, perUnit: 100)  // 200 units
        var policy = ManualCluster.policy
        policy.targetAssignmentDuration = .seconds(10)
        var cluster = ManualCluster(coordinator: Coordinator(policy: policy))
        let names = ["a", "b"]
        for name in names {
            cluster.addWorker(name)
            cluster.nodes[name]!.fast = false
        }
        cluster.submit(spec)
        // Each worker takes 100 ms per unit: it reports a span of n units n × 100 ms after it got it.
        var assignedAt: [String: Duration] = ["a": .zero, "b": .zero]
        var lastReport: [String: Duration] = [:]
        var spans: [(pending: Int, length: Int)] = []
        for _ in 0..<1_000 where cluster.coordinator.jobs[1]!.state == .running {
            cluster.advance(by: .milliseconds(100))
            for name in names {
                guard let unit = cluster.nodes[name]!.running else { continue }
                let length = Int(unit.histories.count / 100)
                guard cluster.now - assignedAt[name]! >= .milliseconds(100) * length else { continue }
                spans.append((200 - Int(unit.key.index), length))
                cluster.complete(name)
                cluster.settle()
                lastReport[name] = cluster.now
                assignedAt[name] = cluster.now
            }
        }
        let job = try #require(cluster.coordinator.jobs[1])
        #expect(job.state == .completed)
        #expect(job.tally == ManualCluster.reference(spec))
        // 10 s fit 100 units; after the first unit each span is at most a quarter of what was left
        // (half of one worker's share), so the last spans are single units.
        #expect(spans.allSatisfy { $0.length <= max(1, ($0.pending + 3) / 4) })
        #expect(spans.contains { $0.length > 10 })
        #expect(spans.suffix(2).allSatisfy { $0.length == 1 })
        let ends = names.map { lastReport[$0]! }
        #expect(ends.max()! - ends.min()! <= .milliseconds(100))
    }

    @Test("A result's worker is handed its next unit before the result is merged; the merge follows, once")
    func mergeAfterTheNextAssignment() throws {
        var coordinator = Coordinator(policy: ManualCluster.policy)
        let client = PeerID([1]), a = PeerID([2])
        _ = coordinator.received(.submit(requestID: 1, spec: Self.spec, inputs: []), from: client, at: .zero)
        let joined = coordinator.received(.ready(Samples.hello), from: a, at: .zero)
        guard case .send(.assign(let unit), to: a)? = joined.last else {
            Issue.record("expected an ASSIGN, got \(joined)")
            return
        }
        let result = Samples.result(Self.spec, index: Int(unit.key.index))
        let accepted = coordinator.received(.result(result), from: a, at: .seconds(1), mergingLater: true)
        #expect(accepted.contains { if case .send(.assign(let next), a) = $0 { next.key != unit.key } else { false } })
        #expect(!accepted.contains(.persistResult(result)))
        #expect(coordinator.jobs[1]!.tally.historyCount == 0)
        let merged = coordinator.mergeReceived(at: .seconds(1))
        #expect(merged.contains(.persistResult(result)))
        #expect(coordinator.jobs[1]!.tally.historyCount == 100)
        #expect(coordinator.mergeReceived(at: .seconds(1)).isEmpty)
    }

    @Test("Workers reconnect to a restarted coordinator with capped exponential back-off, and the job resumes")
    func coordinatorRestart() {
        var cluster = ManualCluster()
        cluster.addWorker("a")
        cluster.nodes["a"]!.fast = false
        cluster.submit(Self.spec)
        cluster.complete("a")
        cluster.settle()
        cluster.complete("a")
        cluster.settle()
        let running = cluster.nodes["a"]!.running!.key
        #expect(cluster.persisted.count == 2)
        // The coordinator dies; its job store holds the job and the two committed results.
        cluster.coordinatorUp = false
        cluster.toCoordinator = []
        cluster.advance(by: .seconds(40))
        // Silent for 3 s, then reconnects after 1, 2, 4, 8, 8, … s (cap 8 s) since each attempt's expiry.
        let times = cluster.nodes["a"]!.reconnects.map { $0 - .zero }
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(times.first == .seconds(4))
        #expect(gaps.prefix(4) == [.seconds(5), .seconds(7), .seconds(11), .seconds(11)])
        // Restart from what was persisted.
        var tally = MergedTally(layout: Self.spec.layout)
        for result in cluster.persisted { try! tally.add(result) }
        let restored = JobRecord(
            id: 1, spec: Self.spec, state: .running, reason: "",
            done: Set(cluster.persisted.map(\.key.index)), tally: tally, awaited: 0, blobs: [:])
        cluster.coordinator = Coordinator(policy: ManualCluster.policy, restoring: [restored])
        cluster.coordinatorUp = true
        cluster.advance(by: .seconds(12))
        #expect(cluster.coordinator.workerCount == 1)
        // The unit the worker was computing across the restart stays with it.
        #expect(cluster.coordinator.jobs[1]!.units[Int(running.index)] == .running(cluster.peer("a"), attempts: 0))
        cluster.nodes["a"]!.fast = true
        cluster.complete("a")
        cluster.settle()
        #expect(cluster.coordinator.jobs[1]!.state == .completed)
        #expect(cluster.coordinator.jobs[1]!.tally == ManualCluster.reference(Self.spec))
        // Nothing committed before the restart was computed again.
        #expect(Set(cluster.persisted.map(\.key)).count == 10)
        #expect(cluster.persisted.count == 10)
    }

    @Test("A heartbeat from an unknown peer gets DISCONNECT and the worker re-joins at once")
    func unknownPeer() {
        var coordinator = Coordinator(policy: ManualCluster.policy)
        let actions = coordinator.received(.heartbeat, from: PeerID([9]), at: .zero)
        #expect(actions.count == 1)
        guard case .send(.disconnect(.unknownPeer, _), _) = actions.first else {
            Issue.record("expected DISCONNECT, got \(actions)")
            return
        }
        var worker = WorkerMachine(policy: ManualCluster.policy, name: "w", threads: 1, workloads: [])
        _ = worker.start(at: .zero)
        let rejoin = worker.received(.disconnect(.unknownPeer, reason: ""), at: .seconds(1))
        #expect(rejoin.contains(.reconnect))
        #expect(rejoin.contains(.send(.ready(WorkerHello(name: "w", threads: 1, workloads: [])))))
    }

    @Test("Undecodable frames are refused; a worker that sends them is dropped, its unit re-queued, and it may re-join")
    func garbage() {
        var cluster = ManualCluster()
        cluster.addWorker("a")
        cluster.nodes["a"]!.fast = false
        cluster.submit(Self.spec)
        let first = cluster.peer("a")
        let unit = cluster.nodes["a"]!.running!.key
        cluster.toCoordinator.append((first, [[1, 2, 3]]))
        cluster.settle()
        #expect(cluster.events.contains { if case .frameRefused(first, _) = $0 { true } else { false } })
        #expect(cluster.events.contains { if case .workerLost(first, _) = $0 { true } else { false } })
        #expect(cluster.events.contains { if case .unitRequeued(unit, _) = $0 { true } else { false } })
        // DISCONNECT(protocolError) is not fatal: the worker reconnects and keeps the unit it computes.
        #expect(cluster.peer("a") != first)
        #expect(cluster.coordinator.workerCount == 1)
        // The refused message counts as an attempt of the unit its worker held.
        #expect(cluster.coordinator.jobs[1]!.units[Int(unit.index)] == .running(cluster.peer("a"), attempts: 1))
    }

    @Test(
        "A worker whose every RESULT is refused fails the job after the attempt limit, naming unit, worker and reason",
        arguments: ManualCluster.Refusal.allCases)
    func alwaysRefused(_ refusal: ManualCluster.Refusal) {
        var cluster = ManualCluster()
        cluster.addWorker("a")
        cluster.nodes["a"]!.refusedResults = .max
        cluster.nodes["a"]!.refusal = refusal
        cluster.submit(Samples.spec(histories: 100, perUnit: 100))
        let job = cluster.coordinator.jobs[1]!
        #expect(job.state == .failed)
        let unit = UnitKey(jobID: 1, index: 0)
        let requeued = cluster.events.filter { if case .unitRequeued(unit, _) = $0 { true } else { false } }
        #expect(requeued.count == ManualCluster.policy.maximumAttempts)
        #expect(job.reason.hasPrefix("\(unit) failed \(ManualCluster.policy.maximumAttempts) times"))
        #expect(job.reason.contains("worker a ("))
        #expect(job.reason.contains(refusal == .malformed ? "undecodable message" : "slabs not in increasing order"))
        #expect(job.reason.contains("run the same Penumbra release on the workers and the coordinator"))
        #expect(cluster.persisted.isEmpty)
        // Nothing more is handed out: the worker is idle, not looping on the unit.
        #expect(cluster.nodes["a"]!.running == nil)
    }

    @Test("A worker refused once, then fine, completes the job with the tally of every unit merged once", arguments: ManualCluster.Refusal.allCases)
    func refusedOnce(_ refusal: ManualCluster.Refusal) {
        var cluster = ManualCluster()
        cluster.addWorker("a")
        cluster.nodes["a"]!.refusedResults = 1
        cluster.nodes["a"]!.refusal = refusal
        cluster.submit(Self.spec)
        let job = cluster.coordinator.jobs[1]!
        #expect(job.state == .completed)
        #expect(job.tally == ManualCluster.reference(Self.spec))
        #expect(cluster.persisted.count == 10)
        #expect(cluster.events.contains { if case .unitRequeued(_, _) = $0 { true } else { false } })
    }

    @Test("Higher-priority jobs run first; equal priorities in submission order")
    func priorities() {
        var cluster = ManualCluster()
        cluster.addWorker("a")
        cluster.nodes["a"]!.fast = false
        cluster.submit(Samples.spec(histories: 200, perUnit: 100, priority: 0))
        cluster.submit(Samples.spec(histories: 200, perUnit: 100, priority: 5))
        // The first unit of job 1 went out before job 2 existed; after it, job 2 runs to the end.
        var order: [UInt64] = []
        while let unit = cluster.nodes["a"]!.running {
            order.append(unit.key.jobID)
            cluster.complete("a")
            cluster.settle()
        }
        #expect(order == [1, 2, 2, 1])
    }

    @Test("A unit that fails on every attempt fails its job with the reason")
    func repeatedFailure() {
        var cluster = ManualCluster()
        cluster.addWorker("a")
        cluster.nodes["a"]!.fast = false
        cluster.submit(Samples.spec(histories: 100, perUnit: 100))
        for _ in 0..<3 {
            guard let unit = cluster.nodes["a"]!.running else { break }
            cluster.nodes["a"]!.running = nil
            cluster.perform(cluster.nodes["a"]!.machine.failed(unit.key, reason: "disk full", at: cluster.now), for: "a")
            cluster.settle()
        }
        let job = cluster.coordinator.jobs[1]!
        #expect(job.state == .failed)
        #expect(job.reason.contains("disk full"))
    }

    @Test("A cancelled job hands out no more units and ignores results in flight")
    func cancel() {
        var cluster = ManualCluster()
        cluster.addWorker("a")
        cluster.nodes["a"]!.fast = false
        cluster.submit(Self.spec)
        cluster.toCoordinator.append((PeerID([7]), WireCodec.encode(.cancel(requestID: 2, jobID: 1))))
        cluster.settle()
        cluster.complete("a")
        cluster.settle()
        let job = cluster.coordinator.jobs[1]!
        #expect(job.state == .cancelled)
        #expect(job.unitsDone == 0)
        #expect(cluster.nodes["a"]!.running == nil)
    }

    @Test("Inputs travel once per worker, by digest, and are cached across units")
    func blobsFetchedOnce() {
        var cluster = ManualCluster()
        cluster.addWorker("a")
        let weights = (0..<Samples.layout.voxelCount).map { UInt8($0 % 7) }
        let digest = ContentDigest(of: weights)
        let spec = Samples.spec(inputs: [digest])
        cluster.submit(spec, inputs: [weights])
        #expect(cluster.coordinator.jobs[1]!.state == .completed)
        #expect(cluster.coordinator.jobs[1]!.tally == ManualCluster.reference(spec, inputs: [digest: weights]))
        #expect(cluster.coordinator.jobs[1]!.tally != ManualCluster.reference(Samples.spec()))
    }

    @Test("Status, fetch and unknown jobs answer the client")
    func clientRequests() {
        var cluster = ManualCluster()
        cluster.addWorker("a")
        cluster.submit(Self.spec)
        let client = PeerID([7])
        var coordinator = cluster.coordinator
        let status = coordinator.received(.statusRequest(requestID: 3, jobID: 0), from: client, at: .zero)
        guard case .send(.status(3, let jobs), client) = status.first else {
            Issue.record("no status in \(status)")
            return
        }
        #expect(jobs.map(\.unitsDone) == [10])
        #expect(jobs.map(\.workersAlive) == [1])
        let fetched = coordinator.received(.fetch(requestID: 4, jobID: 1), from: client, at: .zero)
        #expect(fetched == [.send(.jobResult(requestID: 4, jobID: 1, state: .completed, tally: SparseTally(ManualCluster.reference(Self.spec)), tallyMemory: nil), to: client)])
        let unknown = coordinator.received(.cancel(requestID: 5, jobID: 99), from: client, at: .zero)
        guard case .send(.failure(5, let reason), client) = unknown.first else {
            Issue.record("no failure in \(unknown)")
            return
        }
        #expect(reason.contains("99"))
    }

    @Test("A worker still computing a unit the restarted coordinator does not know gets no other unit until it reports")
    func busyWorkerAfterRestart() {
        var coordinator = Coordinator(policy: ManualCluster.policy)
        let client = PeerID([1]), worker = PeerID([2])
        _ = coordinator.received(.submit(requestID: 1, spec: Self.spec, inputs: []), from: client, at: .zero)
        let stale = UnitKey(jobID: 77, index: 3)
        let hello = WorkerHello(name: "w", threads: 1, workloads: [SyntheticWorkload.name], runningUnit: stale)
        let joined = coordinator.received(.ready(hello), from: worker, at: .zero)
        #expect(!joined.contains { if case .send(.assign, _) = $0 { true } else { false } })
        // Its stale result is ignored, and then it is fed.
        let result = UnitResult(key: stale, historyCount: 1, slabs: [])
        let reported = coordinator.received(.result(result), from: worker, at: .seconds(1))
        #expect(reported.contains(.event(.duplicateResultIgnored(stale, from: worker))))
        #expect(reported.contains { if case .send(.assign, worker) = $0 { true } else { false } })
        // A worker that is sent a unit while busy says READY again, naming the unit it computes.
        var machine = WorkerMachine(policy: ManualCluster.policy, name: "w", threads: 1, workloads: [SyntheticWorkload.name])
        _ = machine.start(at: .zero)
        let first = Samples.unit(Self.spec, index: 0), second = Samples.unit(Self.spec, index: 1)
        _ = machine.received(.assign(first), at: .zero)
        let refusal = machine.received(.assign(second), at: .zero)
        #expect(refusal.count == 1)
        guard case .send(.ready(let again))? = refusal.first else {
            Issue.record("expected READY, got \(refusal)")
            return
        }
        #expect(again.runningUnit == first.key && again.runningHistories == first.histories)
    }

    /// The sequence of the restart failure found in the process test: a worker re-joins idle, is
    /// assigned a unit again, and its result of the earlier assignment of that unit (other histories)
    /// arrives while it computes the new one. The stale result must not free the worker; a unit
    /// assigned to a busy worker comes back without counting an attempt, so the job never fails.
    @Test("A result of an earlier assignment of the same unit does not free a busy worker")
    func staleResultOfTheSameUnit() {
        var coordinator = Coordinator(policy: ManualCluster.policy)
        let client = PeerID([1]), peer = PeerID([2])
        _ = coordinator.received(.submit(requestID: 1, spec: Self.spec, inputs: []), from: client, at: .zero)
        let hello = WorkerHello(name: "w", threads: 1, workloads: [SyntheticWorkload.name], runningUnit: nil)
        let joined = coordinator.received(.ready(hello), from: peer, at: .zero)
        let assigned = joined.compactMap { if case .send(.assign(let u), peer) = $0 { u } else { nil } }
        #expect(assigned.count == 1)
        guard let unit = assigned.first else { return }
        // The stale result: same key, a different number of histories than the current assignment.
        let stale = UnitResult(key: unit.key, historyCount: UInt64(unit.histories.count) + 1, slabs: [])
        let afterStale = coordinator.received(.result(stale), from: peer, at: .seconds(1))
        #expect(!afterStale.contains { if case .send(.assign, peer) = $0 { true } else { false } })
        // Nothing of the job failed, and the worker is still held to its unit.
        let status = coordinator.received(.statusRequest(requestID: 2, jobID: 0), from: client, at: .seconds(1))
        let states: [JobState] = status.flatMap { action -> [JobState] in
            if case .send(.status(_, let jobs), client) = action { jobs.map(\.state) } else { [] }
        }
        #expect(states == [.running])
    }
}
