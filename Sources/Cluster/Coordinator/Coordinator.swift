/// The coordinator as a pure state machine: messages and clock ticks in, actions out. No sockets,
/// no files, no clock of its own (time is injected as a `Duration` since an arbitrary origin), so
/// every failure case is a test with a manual clock (DESIGN.md "The wire").
///
/// Scheduling is pull-based: a worker gets a unit when it says READY or returns a result, from the
/// running job of highest priority (then lowest id) whose workload it can run.
public struct Coordinator: Sendable {
    /// What the coordinator knows about one connected worker.
    struct Worker: Hashable, Sendable {
        var hello: WorkerHello
        /// Dead unless heard from before this time.
        var expiry: Duration
        /// When the coordinator last sent it anything.
        var lastSent: Duration
        /// The unit it is computing.
        var unit: UnitKey?
    }

    /// The timing constants.
    public let policy: LivenessPolicy
    var workers: [PeerID: Worker] = [:]
    /// Idle workers, longest idle first.
    var idle: [PeerID] = []
    /// Every job ever submitted (and not forgotten), by id.
    public private(set) var jobs: [UInt64: JobRecord] = [:]
    /// Content-addressed inputs of the jobs, by digest.
    public private(set) var blobs: [ContentDigest: [UInt8]] = [:]
    private var nextJobID: UInt64

    /// A coordinator, optionally resuming jobs restored from storage.
    public init(policy: LivenessPolicy = .standard, restoring restored: [JobRecord] = [], blobs: [ContentDigest: [UInt8]] = [:]) {
        self.policy = policy
        for job in restored { jobs[job.id] = job }
        self.blobs = blobs
        nextJobID = (restored.map(\.id).max() ?? 0) + 1
    }

    /// Workers currently connected.
    public var workerCount: Int { workers.count }

    // MARK: - Inputs

    /// Handles one decoded message from `peer` at time `now`.
    public mutating func received(_ message: WireMessage, from peer: PeerID, at now: Duration) -> [CoordinatorAction] {
        if workers[peer] != nil { workers[peer]!.expiry = now + policy.expiry }
        var actions: [CoordinatorAction] = []
        switch message {
        case .ready(let hello):
            ready(hello, from: peer, at: now, &actions)
        case .heartbeat:
            if workers[peer] == nil {
                send(.disconnect(.unknownPeer, reason: "unknown worker: reconnect and send READY"), to: peer, now, &actions)
            }
        case .result(let result):
            resultArrived(result, from: peer, &actions)
            if workers[peer] == nil {
                send(.disconnect(.unknownPeer, reason: "unknown worker: reconnect and send READY"), to: peer, now, &actions)
            }
        case .unitFailed(let key, let reason):
            if workers[peer]?.unit == key {
                workers[peer]!.unit = nil
                idle.append(peer)
                requeue(key, heldBy: peer, reason: "worker failed it: \(reason)", countsAsAttempt: true, &actions)
            }
        case .blobRequest(let digest):
            if let data = blobs[digest] {
                send(.blob(digest, data), to: peer, now, &actions)
            } else {
                drop(peer, reason: "asked for unknown input \(digest)", &actions)
                send(.disconnect(.protocolError, reason: "no input \(digest) on this coordinator"), to: peer, now, &actions)
            }
        case .disconnect(_, let reason):
            drop(peer, reason: "said goodbye: \(reason)", &actions)
        case .submit(let requestID, let spec, let inputs):
            submit(spec, inputs: inputs, requestID: requestID, from: peer, &actions)
        case .statusRequest(let requestID, let jobID):
            if jobID == 0 {
                let all = jobs.keys.sorted().map { jobs[$0]!.status(workersAlive: workers.count) }
                actions.append(.send(.status(requestID: requestID, jobs: all), to: peer))
            } else if let job = jobs[jobID] {
                actions.append(.send(.status(requestID: requestID, jobs: [job.status(workersAlive: workers.count)]), to: peer))
            } else {
                actions.append(.send(.failure(requestID: requestID, reason: ClusterError.unknownJob(jobID).description), to: peer))
            }
        case .cancel(let requestID, let jobID):
            guard jobs[jobID] != nil else {
                actions.append(.send(.failure(requestID: requestID, reason: ClusterError.unknownJob(jobID).description), to: peer))
                break
            }
            finish(jobID, .cancelled, reason: "cancelled by a client", &actions)
            actions.append(.send(.status(requestID: requestID, jobs: [jobs[jobID]!.status(workersAlive: workers.count)]), to: peer))
        case .fetch(let requestID, let jobID):
            if let job = jobs[jobID] {
                actions.append(.send(.jobResult(requestID: requestID, jobID: jobID, state: job.state, tally: job.tally), to: peer))
            } else {
                actions.append(.send(.failure(requestID: requestID, reason: ClusterError.unknownJob(jobID).description), to: peer))
            }
        case .assign, .blob, .submitted, .status, .jobResult, .failure:
            let reason = "a coordinator does not accept \(message.kind)"
            actions.append(.event(.frameRefused(peer, reason: reason)))
            drop(peer, reason: reason, &actions)
            send(.disconnect(.protocolError, reason: reason), to: peer, now, &actions)
        }
        dispatch(now, &actions)
        return actions
    }

    /// Handles frames from `peer` that did not decode: refuse them, and forget the peer if it was a worker.
    public mutating func receivedUndecodable(_ error: WireError, from peer: PeerID, at now: Duration) -> [CoordinatorAction] {
        var actions: [CoordinatorAction] = [.event(.frameRefused(peer, reason: error.description))]
        drop(peer, reason: "sent an undecodable message", &actions)
        send(.disconnect(.protocolError, reason: error.description), to: peer, now, &actions)
        dispatch(now, &actions)
        return actions
    }

    /// Advances the clock: declares silent workers dead (re-queuing their units), sends due heartbeats.
    public mutating func tick(at now: Duration) -> [CoordinatorAction] {
        var actions: [CoordinatorAction] = []
        for (peer, worker) in workers.sorted(by: { $0.key.bytes.lexicographicallyPrecedes($1.key.bytes) }) {
            if worker.expiry <= now {
                drop(peer, reason: "silent for \(policy.liveness) heartbeat intervals", &actions)
            } else if now - worker.lastSent >= policy.heartbeatInterval {
                send(.heartbeat, to: peer, now, &actions)
            }
        }
        dispatch(now, &actions)
        return actions
    }

    /// When the next `tick` has something to do (a heartbeat due or a worker expiring), at the latest.
    public func nextDeadline(after now: Duration) -> Duration {
        workers.values.reduce(now + policy.heartbeatInterval) { deadline, worker in
            min(deadline, worker.expiry, worker.lastSent + policy.heartbeatInterval)
        }
    }

    // MARK: - Workers

    private mutating func ready(_ hello: WorkerHello, from peer: PeerID, at now: Duration, _ actions: inout [CoordinatorAction]) {
        guard hello.protocolVersion == WireLimits.protocolVersion else {
            let reason =
                "worker speaks protocol version \(hello.protocolVersion), this coordinator speaks version \(WireLimits.protocolVersion); run the same Penumbra release on both"
            actions.append(.event(.workerRefused(peer, reason: reason)))
            drop(peer, reason: reason, &actions)
            send(.disconnect(.incompatibleVersion, reason: reason), to: peer, now, &actions)
            return
        }
        if workers[peer] != nil { drop(peer, reason: "sent READY again", &actions) }
        var worker = Worker(hello: hello, expiry: now + policy.expiry, lastSent: now, unit: nil)
        // A worker that reconnects mid-unit is busy with that unit, whatever this coordinator knows of
        // it (a restarted coordinator may have merged it, or never heard of its job): it gets no other
        // unit until it reports. If the unit is still wanted, it stays with this worker.
        if let key = hello.runningUnit {
            worker.unit = key
            if var job = takeJob(key.jobID) {
                defer { jobs[key.jobID] = job }
                if job.state == .running, Int(key.index) < job.units.count {
                    switch job.units[Int(key.index)] {
                    case .pending(let attempts):
                        job.units[Int(key.index)] = .running(peer, attempts: attempts)
                        job.unitsRunning += 1
                    case .running(_, let attempts):
                        // Both keep computing; whichever result comes first is merged, the other ignored.
                        job.units[Int(key.index)] = .running(peer, attempts: attempts)
                    case .done:
                        break
                    }
                }
            }
        }
        workers[peer] = worker
        if worker.unit == nil { idle.append(peer) }
        actions.append(.event(.workerJoined(peer, name: hello.name, threads: hello.threads)))
    }

    /// Forgets a worker and re-queues its unit.
    private mutating func drop(_ peer: PeerID, reason: String, _ actions: inout [CoordinatorAction]) {
        guard let worker = workers.removeValue(forKey: peer) else { return }
        idle.removeAll { $0 == peer }
        actions.append(.event(.workerLost(peer, reason: reason)))
        if let key = worker.unit {
            requeue(key, heldBy: peer, reason: "worker \(peer) \(reason)", countsAsAttempt: false, &actions)
        }
    }

    private mutating func send(_ message: WireMessage, to peer: PeerID, _ now: Duration, _ actions: inout [CoordinatorAction]) {
        workers[peer]?.lastSent = now
        actions.append(.send(message, to: peer))
    }

    // MARK: - Units

    /// Puts a unit that `holder` was running back in its job's queue (if `holder` still holds it). A
    /// lost worker does not count against the unit; a unit that its worker reported failed does, and
    /// too many failures fail the job.
    private mutating func requeue(
        _ key: UnitKey, heldBy holder: PeerID, reason: String, countsAsAttempt: Bool, _ actions: inout [CoordinatorAction]
    ) {
        guard var job = takeJob(key.jobID) else { return }
        guard Int(key.index) < job.units.count, case .running(holder, let attempts) = job.units[Int(key.index)] else {
            jobs[key.jobID] = job
            return
        }
        job.unitsRunning -= 1
        let tries = attempts + (countsAsAttempt ? 1 : 0)
        job.units[Int(key.index)] = .pending(attempts: tries)
        if job.state == .running { job.pendingStack.append(key.index) }
        jobs[key.jobID] = job
        actions.append(.event(.unitRequeued(key, reason: reason)))
        if tries >= policy.maximumAttempts {
            finish(key.jobID, .failed, reason: "\(key) failed \(tries) times, last: \(reason)", &actions)
        }
    }

    private mutating func resultArrived(_ result: UnitResult, from peer: PeerID, _ actions: inout [CoordinatorAction]) {
        let key = result.key
        if workers[peer]?.unit == key {
            workers[peer]!.unit = nil
            idle.append(peer)
        }
        guard var job = takeJob(key.jobID) else {
            actions.append(.event(.duplicateResultIgnored(key, from: peer)))
            return
        }
        guard job.state == .running, Int(key.index) < job.units.count, job.units[Int(key.index)] != .done else {
            jobs[key.jobID] = job
            actions.append(.event(.duplicateResultIgnored(key, from: peer)))
            return
        }
        do {
            try result.validate(for: job.spec)
            try job.tally.add(result)
        } catch {
            // A failed merge leaves the tally as it was.
            jobs[key.jobID] = job
            actions.append(.event(.resultRejected(key, from: peer, reason: error.description)))
            if case .tallyOverflow = error {
                finish(key.jobID, .failed, reason: error.description, &actions)
            } else {
                requeue(key, heldBy: peer, reason: "invalid result", countsAsAttempt: true, &actions)
            }
            return
        }
        if case .running = job.units[Int(key.index)] {
            // Whoever else still computes it will send a duplicate, which is ignored.
            job.unitsRunning -= 1
        }
        job.units[Int(key.index)] = .done
        job.unitsDone += 1
        let complete = job.unitsDone == job.units.count
        jobs[key.jobID] = job
        actions.append(.persistResult(result))
        if complete { finish(key.jobID, .completed, reason: "", &actions) }
    }

    /// Hands units to idle workers, highest priority job first.
    private mutating func dispatch(_ now: Duration, _ actions: inout [CoordinatorAction]) {
        var waiting: [PeerID] = []
        while !idle.isEmpty {
            let peer = idle.removeFirst()
            guard let worker = workers[peer], worker.unit == nil else { continue }
            // Only ids and priorities are kept from the scan: holding job copies would make the
            // mutations below copy their unit arrays.
            var best: (id: UInt64, priority: Int32)?
            for (id, job) in jobs where job.hasPending && worker.hello.workloads.contains(job.spec.workload) {
                if best == nil || (job.spec.priority, best!.id) > (best!.priority, id) { best = (id, job.spec.priority) }
            }
            guard let id = best?.id, var job = takeJob(id) else {
                waiting.append(peer)
                continue
            }
            defer { jobs[id] = job }
            guard let index = job.popPending(), case .pending(let attempts) = job.units[Int(index)] else {
                waiting.append(peer)
                continue
            }
            let key = UnitKey(jobID: id, index: index)
            job.units[Int(index)] = .running(peer, attempts: attempts)
            job.unitsRunning += 1
            workers[peer]!.unit = key
            let unit = WorkUnit(key: key, attempt: UInt32(attempts), spec: job.spec, histories: job.spec.histories(ofUnit: Int(index)))
            send(.assign(unit), to: peer, now, &actions)
        }
        idle = waiting
    }

    // MARK: - Jobs

    /// Removes a job from the table so that it can be changed without copying its unit states and
    /// tally (copy-on-write would copy them if the table still held a reference). The caller puts it back.
    private mutating func takeJob(_ id: UInt64) -> JobRecord? { jobs.removeValue(forKey: id) }

    private mutating func submit(_ spec: JobSpec, inputs: [[UInt8]], requestID: UInt64, from peer: PeerID, _ actions: inout [CoordinatorAction]) {
        do {
            try spec.validate()
        } catch {
            actions.append(.send(.failure(requestID: requestID, reason: error.description), to: peer))
            return
        }
        let id = nextJobID
        nextJobID += 1
        jobs[id] = JobRecord(id: id, spec: spec)
        for (digest, data) in zip(spec.inputs, inputs) { blobs[digest] = data }
        actions.append(.persistJob(jobID: id, spec: spec, inputs: inputs))
        actions.append(.event(.jobSubmitted(id, units: spec.unitCount)))
        actions.append(.send(.submitted(requestID: requestID, jobID: id), to: peer))
    }

    /// Ends a running job: no more units are handed out; results still in flight are ignored.
    private mutating func finish(_ jobID: UInt64, _ state: JobState, reason: String, _ actions: inout [CoordinatorAction]) {
        guard var job = takeJob(jobID) else { return }
        defer { jobs[jobID] = job }
        guard job.state == .running else { return }
        job.state = state
        job.reason = reason
        job.pendingStack = []
        actions.append(.persistState(jobID: jobID, state: state, reason: reason))
        actions.append(.checkpoint(jobID: jobID))
        actions.append(.event(.jobFinished(jobID, state, reason: reason)))
    }
}
