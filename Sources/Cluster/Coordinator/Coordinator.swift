/// The coordinator as a pure state machine: messages and clock ticks in, actions out. No sockets,
/// no files, no clock of its own (time is injected as a `Duration` since an arbitrary origin), so
/// every failure case is a test with a manual clock (DESIGN.md "The wire").
///
/// Scheduling is pull-based: a worker gets a unit when it says READY or returns a result, from the
/// running job of highest priority (then lowest id) whose workload it can run.
public struct Coordinator: Sendable {
    /// What a worker computes: one assignment at a time, of either kind of job. Whatever the kind, it
    /// frees the worker when answered or failed, and goes back to its job's queue (`requeue`) when
    /// its worker fails it or is lost.
    enum Assignment: Hashable, Sendable, CustomStringConvertible {
        /// A span of a replicated job, keyed by its first unit, with its units and histories when
        /// known (a worker that re-joined mid-span may not say them). A result with the same key but
        /// another history count answers an earlier assignment (e.g. one from before a coordinator
        /// restart) and must not free the worker while it computes this one.
        case span(UnitKey, units: Range<Int>?, histories: UInt64?)
        /// One unit of a decomposed job.
        case slab(SlabUnitKey)

        /// The job it belongs to.
        var jobID: UInt64 {
            switch self {
            case .span(let key, _, _): key.jobID
            case .slab(let key): key.jobID
            }
        }

        /// Its key, as logs and reasons name it.
        var description: String {
            switch self {
            case .span(let key, _, _): key.description
            case .slab(let key): key.description
            }
        }
    }

    /// What the coordinator knows about one connected worker.
    struct Worker: Hashable, Sendable {
        var hello: WorkerHello
        /// Dead unless heard from before this time.
        var expiry: Duration
        /// When the coordinator last sent it anything.
        var lastSent: Duration
        /// What it is computing.
        var assignment: Assignment?
        /// When the assignment was sent.
        var assignedAt: Duration = .zero
        /// Measured time per unit, by job.
        var pace: [UInt64: Duration] = [:]
        /// The slab it last ran, by decomposed job: it holds that slab's phantom, so it keeps it.
        var slabs: [UInt64: UInt32] = [:]

        /// True while it computes something.
        var busy: Bool { assignment != nil }
    }

    /// A result received and not merged yet: whether it answered its worker's assignment, and the units
    /// that assignment held.
    private struct ReceivedResult: Sendable {
        var result: UnitResult
        var peer: PeerID
        var answersAssignment: Bool
        var own: Range<Int>?
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
    /// Results waiting for `mergeReceived`, in arrival order.
    private var unmerged: [ReceivedResult] = []
    private var nextJobID: UInt64

    /// A coordinator, optionally resuming jobs restored from storage.
    public init(
        policy: LivenessPolicy = .standard, restoring restored: [JobRecord] = [], blobs: [ContentDigest: [UInt8]] = [:]
    ) {
        self.policy = policy
        for job in restored { jobs[job.id] = job }
        self.blobs = blobs
        nextJobID = (restored.map(\.id).max() ?? 0) + 1
    }

    /// Workers currently connected.
    public var workerCount: Int { workers.count }

    // MARK: - Inputs

    /// Handles one decoded message from `peer` at time `now`.
    ///
    /// A RESULT frees its worker and hands it its next span at once; the result is merged after that,
    /// so its merge never stands between a worker and its next assignment. With `mergingLater`, the
    /// merge waits for `mergeReceived(at:)` (a loop calls it once it has sent these actions, so the
    /// worker computes while the coordinator merges); otherwise its actions come last in this list.
    public mutating func received(
        _ message: WireMessage, from peer: PeerID, at now: Duration, mergingLater: Bool = false
    ) -> [CoordinatorAction] {
        var actions = accept(message, from: peer, at: now)
        if !mergingLater { actions += mergeReceived(at: now) }
        return actions
    }

    /// Merges the results received since the last call (`received(_:from:at:mergingLater:)`):
    /// validation, the merge, its commit action and the job's progress, then hands out what that frees.
    public mutating func mergeReceived(at now: Duration) -> [CoordinatorAction] {
        guard !unmerged.isEmpty else { return [] }
        var actions: [CoordinatorAction] = []
        let arrived = unmerged
        unmerged = []
        for result in arrived { merge(result, &actions) }
        dispatch(now, &actions)
        return actions
    }

    private mutating func accept(_ message: WireMessage, from peer: PeerID, at now: Duration) -> [CoordinatorAction] {
        if workers[peer] != nil { workers[peer]!.expiry = now + policy.expiry }
        var actions: [CoordinatorAction] = []
        switch message {
        case .ready(let hello):
            ready(hello, from: peer, at: now, &actions)
        case .heartbeat:
            if workers[peer] == nil {
                send(
                    .disconnect(.unknownPeer, reason: "unknown worker: reconnect and send READY"), to: peer, now,
                    &actions)
            }
        case .result(let result):
            resultArrived(result, from: peer, at: now)
            if workers[peer] == nil {
                send(
                    .disconnect(.unknownPeer, reason: "unknown worker: reconnect and send READY"), to: peer, now,
                    &actions)
            }
        case .slabResult(let result):
            slabResultArrived(result, from: peer, at: now, &actions)
            if workers[peer] == nil {
                send(
                    .disconnect(.unknownPeer, reason: "unknown worker: reconnect and send READY"), to: peer, now,
                    &actions)
            }
        case .slabFailed(let key, let reason):
            actions.append(.event(.slabUnitFailed(key, from: peer, reason: reason)))
            if case .slab(key)? = workers[peer]?.assignment {
                failed(peer, reason: reason, &actions)
            }
        case .unitFailed(let key, let reason):
            actions.append(.event(.unitFailed(key, from: peer, reason: reason)))
            if case .span(key, _, _)? = workers[peer]?.assignment {
                failed(peer, reason: reason, &actions)
            }
        case .blobRequest(let digest):
            if let data = blobs[digest] {
                send(.blob(digest, data), to: peer, now, &actions)
            } else {
                drop(peer, reason: "asked for unknown input \(digest)", &actions)
                send(
                    .disconnect(.protocolError, reason: "no input \(digest) on this coordinator"), to: peer, now,
                    &actions)
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
                actions.append(
                    .send(.status(requestID: requestID, jobs: [job.status(workersAlive: workers.count)]), to: peer))
            } else {
                actions.append(
                    .send(.failure(requestID: requestID, reason: ClusterError.unknownJob(jobID).description), to: peer))
            }
        case .cancel(let requestID, let jobID):
            guard jobs[jobID] != nil else {
                actions.append(
                    .send(.failure(requestID: requestID, reason: ClusterError.unknownJob(jobID).description), to: peer))
                break
            }
            finish(jobID, .cancelled, reason: "cancelled by a client", &actions)
            actions.append(
                .send(.status(requestID: requestID, jobs: [jobs[jobID]!.status(workersAlive: workers.count)]), to: peer)
            )
        case .fetch(let requestID, let jobID):
            if let job = jobs[jobID] {
                let result = WireMessage.jobResult(
                    requestID: requestID, jobID: jobID, state: job.state, tally: SparseTally(job.tally),
                    tallyMemory: job.tallyMemory)
                actions.append(.send(result, to: peer))
            } else {
                actions.append(
                    .send(.failure(requestID: requestID, reason: ClusterError.unknownJob(jobID).description), to: peer))
            }
        case .assign, .assignSlab, .blob, .submitted, .status, .jobResult, .failure:
            let reason = "a coordinator does not accept \(message.kind)"
            actions.append(.event(.frameRefused(peer, reason: reason)))
            refused(peer, reason: reason, &actions)
            drop(peer, reason: reason, &actions)
            send(.disconnect(.protocolError, reason: reason), to: peer, now, &actions)
        }
        dispatch(now, &actions)
        return actions
    }

    /// Handles frames from `peer` that did not decode: refuse them, and forget the peer if it was a worker.
    public mutating func receivedUndecodable(_ error: WireError, from peer: PeerID, at now: Duration)
        -> [CoordinatorAction]
    {
        var actions: [CoordinatorAction] = [.event(.frameRefused(peer, reason: error.description))]
        refused(peer, reason: "undecodable message: \(error.description)", &actions)
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

    private mutating func ready(
        _ hello: WorkerHello, from peer: PeerID, at now: Duration, _ actions: inout [CoordinatorAction]
    ) {
        guard hello.protocolVersion == WireLimits.protocolVersion else {
            let reason =
                "worker speaks protocol version \(hello.protocolVersion), this coordinator speaks version \(WireLimits.protocolVersion); run the same Penumbra release on both"
            actions.append(.event(.workerRefused(peer, reason: reason)))
            drop(peer, reason: reason, &actions)
            send(.disconnect(.incompatibleVersion, reason: reason), to: peer, now, &actions)
            return
        }
        if workers[peer] != nil { drop(peer, reason: "sent READY again", &actions) }
        var worker = Worker(hello: hello, expiry: now + policy.expiry, lastSent: now)
        if let key = hello.runningSlabUnit {
            // As for a span: busy with it until it reports, and it keeps the unit if still wanted.
            worker.assignment = .slab(key)
            worker.slabs[key.jobID] = key.slab
            if var job = takeJob(key.jobID) {
                if job.state == .running, let state = job.rounds?.state(key) {
                    switch state {
                    case .pending(let attempts), .running(_, let attempts):
                        job.rounds!.set(key, .running(peer, attempts: attempts))
                    case .done: break
                    }
                }
                jobs[key.jobID] = job
            }
        }
        // A worker that reconnects mid-unit is busy with that unit, whatever this coordinator knows of
        // it (a restarted coordinator may have merged it, or never heard of its job): it gets no other
        // unit until it reports. If the unit is still wanted, it stays with this worker. (A worker
        // computes one assignment at a time: a READY naming a slab unit too is taken for the slab unit.)
        if let key = hello.runningUnit, hello.runningSlabUnit == nil {
            let histories = hello.runningHistories.map { UInt64($0.count) }
            worker.assignment = .span(key, units: nil, histories: histories)
            if var job = takeJob(key.jobID) {
                defer { jobs[key.jobID] = job }
                // The whole span when READY names its histories, else the key's unit alone.
                let first = Int(key.index)
                var span = first..<first + 1
                if let histories = hello.runningHistories, first < job.units.count,
                    histories.lowerBound == job.spec.histories(ofUnit: first).lowerBound,
                    let units = job.spec.units(from: first, histories: UInt64(histories.count))
                {
                    span = units
                }
                worker.assignment = .span(key, units: span, histories: histories)
                for n in span where job.state == .running && n < job.limit {
                    switch job.units[n] {
                    case .pending(let attempts):
                        job.units[n] = .running(peer, attempts: attempts)
                        job.unitsRunning += 1
                    case .running(_, let attempts):
                        // Both keep computing; whichever result comes first is merged, the other ignored.
                        job.units[n] = .running(peer, attempts: attempts)
                    case .done:
                        break
                    }
                }
            }
        }
        workers[peer] = worker
        if !worker.busy { idle.append(peer) }
        actions.append(.event(.workerJoined(peer, name: hello.name, threads: hello.threads)))
    }

    /// Forgets a worker and re-queues its unit.
    private mutating func drop(_ peer: PeerID, reason: String, _ actions: inout [CoordinatorAction]) {
        guard let worker = workers.removeValue(forKey: peer) else { return }
        idle.removeAll { $0 == peer }
        actions.append(.event(.workerLost(peer, reason: reason)))
        if let assignment = worker.assignment {
            requeue(assignment, heldBy: peer, reason: "worker \(peer) \(reason)", countsAsAttempt: false, &actions)
        }
    }

    /// Frees a worker that reported its assignment failed, and re-queues the assignment (the failure
    /// counts against its units).
    private mutating func failed(_ peer: PeerID, reason: String, _ actions: inout [CoordinatorAction]) {
        guard let assignment = release(peer) else { return }
        requeue(assignment, heldBy: peer, reason: "worker failed it: \(reason)", countsAsAttempt: true, &actions)
    }

    /// Frees a worker whose message the coordinator refused (a RESULT that did not decode or failed its
    /// check, a message a worker must not send) and re-queues its assignment, counted as an attempt as a
    /// reported failure is: a worker whose results are always refused (e.g. one of another release)
    /// then fails the job after `maximumAttempts`, naming itself and the refusal, instead of being
    /// handed the unit again forever.
    private mutating func refused(_ peer: PeerID, reason: String, _ actions: inout [CoordinatorAction]) {
        guard let assignment = release(peer) else { return }
        requeue(assignment, heldBy: peer, reason: refusal(of: peer, reason), countsAsAttempt: true, &actions)
    }

    /// Why a unit went back after its worker's message was refused, and what to do if it keeps happening.
    private func refusal(of peer: PeerID, _ reason: String) -> String {
        let name = workers[peer].map { "\($0.hello.name) (\(peer))" } ?? "\(peer)"
        return
            "worker \(name) sent a message the coordinator refused: \(reason); if every result of a worker is refused, run the same Penumbra release on the workers and the coordinator"
    }

    /// Frees a worker: it becomes idle. Returns what it was assigned.
    private mutating func release(_ peer: PeerID) -> Assignment? {
        guard let assignment = workers[peer]?.assignment else { return nil }
        workers[peer]!.assignment = nil
        idle.append(peer)
        return assignment
    }

    /// Puts what `holder` was running of an assignment back in its job's queue. A lost worker does not
    /// count against its units; an assignment its worker reported failed, or answered with a message the
    /// coordinator refused, does, and too many failures fail the job.
    private mutating func requeue(
        _ assignment: Assignment, heldBy holder: PeerID, reason: String, countsAsAttempt: Bool,
        _ actions: inout [CoordinatorAction]
    ) {
        guard var job = takeJob(assignment.jobID) else { return }
        let extra = countsAsAttempt ? 1 : 0
        var tries: Int?
        switch assignment {
        case .span(let key, let units, _):
            var returned: [Int] = []
            for n in units ?? Int(key.index)..<Int(key.index) + 1 where n < job.units.count {
                guard case .running(holder, let attempts) = job.units[n] else { continue }
                job.unitsRunning -= 1
                job.units[n] = .pending(attempts: attempts + extra)
                tries = max(tries ?? 0, attempts + extra)
                returned.append(n)
            }
            job.pushPending(returned)
            if tries != nil { actions.append(.event(.unitRequeued(key, reason: reason))) }
        case .slab(let key):
            if job.state == .running, case .running(holder, let attempts)? = job.rounds?.state(key) {
                job.rounds!.set(key, .pending(attempts: attempts + extra))
                tries = attempts + extra
                actions.append(.event(.slabUnitRequeued(key, reason: reason)))
            }
        }
        jobs[assignment.jobID] = job
        if let tries, tries >= policy.maximumAttempts {
            finish(assignment.jobID, .failed, reason: "\(assignment) failed \(tries) times, last: \(reason)", &actions)
        }
    }

    private mutating func send(
        _ message: WireMessage, to peer: PeerID, _ now: Duration, _ actions: inout [CoordinatorAction]
    ) {
        workers[peer]?.lastSent = now
        actions.append(.send(message, to: peer))
    }

    // MARK: - Units

    /// A result arrived: the answer to its worker's current assignment frees the worker (and may later
    /// return its units); the merge waits in `unmerged`.
    private mutating func resultArrived(_ result: UnitResult, from peer: PeerID, at now: Duration) {
        let key = result.key
        var arrived = ReceivedResult(result: result, peer: peer, answersAssignment: false)
        if case .span(key, let units, let histories)? = workers[peer]?.assignment,
            histories.map({ $0 == result.historyCount }) ?? true
        {
            arrived.answersAssignment = true
            arrived.own = units
            if let units, now > workers[peer]!.assignedAt {
                workers[peer]!.pace[key.jobID] = (now - workers[peer]!.assignedAt) / units.count
            }
            _ = release(peer)
        }
        unmerged.append(arrived)
    }

    /// Merges a received result into its job, at most once per unit: whoever sends it first wins.
    private mutating func merge(_ arrived: ReceivedResult, _ actions: inout [CoordinatorAction]) {
        let (result, peer, answersAssignment, own) = (arrived.result, arrived.peer, arrived.answersAssignment, arrived.own)
        let key = result.key
        guard var job = takeJob(key.jobID) else {
            actions.append(.event(.duplicateResultIgnored(key, from: peer)))
            return
        }
        guard job.state == .running else {
            jobs[key.jobID] = job
            actions.append(.event(.duplicateResultIgnored(key, from: peer)))
            return
        }
        let span = job.spec.units(from: Int(key.index), histories: result.historyCount)
        if let span, span.upperBound > job.limit || span.contains(where: { job.units[$0] == .done }) {
            // Merged before, whole or in part (whoever else computed it was first), or past the units
            // this coordinator hands out (a span from before its restart): nothing of it counts, and
            // what this worker held of it goes back to the queue.
            jobs[key.jobID] = job
            actions.append(.event(.duplicateResultIgnored(key, from: peer)))
            if answersAssignment {
                requeue(
                    .span(key, units: own, histories: nil), heldBy: peer, reason: "overlaps merged units",
                    countsAsAttempt: false, &actions)
            }
            return
        }
        do throws(ClusterError) {
            guard let span, !(span.lowerBound < job.awaited && span.upperBound > job.awaited)
            else { throw .invalidResult(key, "\(result.historyCount) histories is not a span of this job") }
            try result.validate(for: job.spec)
            try job.merge(result, span: span)
        } catch {
            // A failed merge leaves the tally as it was.
            jobs[key.jobID] = job
            actions.append(.event(.resultRejected(key, from: peer, reason: error.description)))
            if case .tallyOverflow = error {
                finish(key.jobID, .failed, reason: error.description, &actions)
            } else if answersAssignment {
                requeue(
                    .span(key, units: own, histories: nil), heldBy: peer,
                    reason: refusal(of: peer, error.description), countsAsAttempt: true, &actions)
            }
            return
        }
        actions.append(.persistResult(result))
        let complete: String?
        do {
            complete = try job.advance()
        } catch {
            jobs[key.jobID] = job
            finish(key.jobID, .failed, reason: error.description, &actions)
            return
        }
        jobs[key.jobID] = job
        if let complete { finish(key.jobID, .completed, reason: complete, &actions) }
    }

    /// How many units `worker` should get of job `id`: as many as its measured pace fits in the target
    /// assignment time, but no more than half its share of what is left to hand out. Halving the share
    /// is guided self-scheduling by factoring (Hummel, Schonberg & Flynn, Commun. ACM 35(8), 1992):
    /// spans shrink as the job nears its end, down to single units, so workers whose pace drifts from
    /// the one measured still finish together instead of one idling while another runs a long last span.
    private func spanLength(for worker: Worker, job id: UInt64, pendingBelowLimit: Int) -> Int {
        guard let target = policy.targetAssignmentDuration, let pace = worker.pace[id], pace > .zero else { return 1 }
        let fitting = Int(min(target / pace, Double(JobSpec.maximumUnitCount)))
        let shares = 2 * max(1, workers.count)
        return max(1, min(fitting, (pendingBelowLimit + shares - 1) / shares))
    }

    /// Hands spans of units to idle workers, highest priority job first.
    private mutating func dispatch(_ now: Duration, _ actions: inout [CoordinatorAction]) {
        var waiting: [PeerID] = []
        while !idle.isEmpty {
            let peer = idle.removeFirst()
            guard let worker = workers[peer], !worker.busy else { continue }
            // Only ids and priorities are kept from the scan: holding job copies would make the
            // mutations below copy their unit arrays.
            var best: (id: UInt64, priority: Int32)?
            for (id, job) in jobs where job.hasPending && worker.hello.workloads.contains(job.spec.workload) {
                if best == nil || (job.spec.priority, best!.id) > (best!.priority, id) {
                    best = (id, job.spec.priority)
                }
            }
            guard let id = best?.id, var job = takeJob(id) else {
                waiting.append(peer)
                continue
            }
            defer { jobs[id] = job }
            if job.rounds != nil {
                assignSlab(of: &job, to: peer, now, &actions)
                continue
            }
            let pending = job.limit - Int(job.pendingStack.last ?? 0)
            guard let span = job.popSpan(maximum: spanLength(for: worker, job: id, pendingBelowLimit: pending)),
                case .pending(let attempts) = job.units[span.lowerBound]
            else {
                waiting.append(peer)
                continue
            }
            let key = UnitKey(jobID: id, index: UInt32(span.lowerBound))
            for n in span {
                if case .pending(let tries) = job.units[n] { job.units[n] = .running(peer, attempts: tries) }
            }
            job.unitsRunning += span.count
            let histories = job.spec.histories(ofUnits: span)
            workers[peer]!.assignment = .span(key, units: span, histories: UInt64(histories.count))
            workers[peer]!.assignedAt = now
            let unit = WorkUnit(key: key, attempt: UInt32(attempts), spec: job.spec, histories: histories)
            send(.assign(unit), to: peer, now, &actions)
        }
        idle = waiting
    }

    // MARK: - Jobs

    /// Removes a job from the table so that it can be changed without copying its unit states and
    /// tally (copy-on-write would copy them if the table still held a reference). The caller puts it back.
    private mutating func takeJob(_ id: UInt64) -> JobRecord? { jobs.removeValue(forKey: id) }

    private mutating func submit(
        _ spec: JobSpec, inputs: [[UInt8]], requestID: UInt64, from peer: PeerID, _ actions: inout [CoordinatorAction]
    ) {
        do {
            try spec.validate()
        } catch {
            actions.append(.send(.failure(requestID: requestID, reason: error.description), to: peer))
            return
        }
        if let index = spec.stop?.weightsInput, inputs.count > Int(index),
            inputs[Int(index)].count != spec.layout.voxelCount * 4
        {
            let reason = ClusterError.invalidJob(
                "the stop rule's weights input has \(inputs[Int(index)].count) bytes, the grid needs \(spec.layout.voxelCount * 4) (one Float32 per voxel)"
            )
            actions.append(.send(.failure(requestID: requestID, reason: reason.description), to: peer))
            return
        }
        let id = nextJobID
        nextJobID += 1
        for (digest, data) in zip(spec.inputs, inputs) { blobs[digest] = data }
        jobs[id] = JobRecord(id: id, spec: spec, blobs: blobs)
        actions.append(.persistJob(jobID: id, spec: spec, inputs: inputs))
        actions.append(.event(.jobSubmitted(id, units: spec.unitCount)))
        actions.append(.send(.submitted(requestID: requestID, jobID: id), to: peer))
    }

    /// Ends a running job: no more units are handed out; results still in flight are ignored.
    private mutating func finish(
        _ jobID: UInt64, _ state: JobState, reason: String, _ actions: inout [CoordinatorAction]
    ) {
        guard var job = takeJob(jobID) else { return }
        defer { jobs[jobID] = job }
        guard job.state == .running else { return }
        job.state = state
        job.reason = reason
        job.pendingStack = []
        if let banks = job.rounds?.neededBanks, !banks.isEmpty {
            for digest in banks { blobs[digest] = nil }
            actions.append(.forgetBanks(banks.sorted()))
        }
        actions.append(.persistState(jobID: jobID, state: state, reason: reason))
        actions.append(.checkpoint(jobID: jobID))
        actions.append(.event(.jobFinished(jobID, state, reason: reason)))
    }

    // MARK: - Decomposed units

    /// Hands the worker the next unit of decomposed job `job` (which has one pending), its slab if it can.
    private mutating func assignSlab(
        of job: inout JobRecord, to peer: PeerID, _ now: Duration, _ actions: inout [CoordinatorAction]
    ) {
        guard let (batch, slab) = job.rounds!.nextPending(preferring: workers[peer]!.slabs[job.id]),
            let progress = job.rounds
        else { return }
        let key = SlabUnitKey(jobID: job.id, batch: batch, round: progress.batches[batch]!.round, slab: slab)
        guard case .pending(let attempts) = progress.state(key) else { return }
        job.rounds!.set(key, .running(peer, attempts: attempts))
        workers[peer]!.assignment = .slab(key)
        workers[peer]!.assignedAt = now
        workers[peer]!.slabs[job.id] = slab
        let histories = progress.decomposition.histories(ofBatch: Int(batch), historyCount: job.spec.historyCount)
        let unit = SlabWorkUnit(
            key: key, attempt: UInt32(attempts), spec: job.spec, histories: histories, banks: progress.banks(key))
        send(.assignSlab(unit), to: peer, now, &actions)
    }

    /// A decomposed unit's result: merged at most once per key, committed (banks, then row) before
    /// anything that depends on it is sent; the banks it sends on are served to the next round's units.
    private mutating func slabResultArrived(
        _ result: SlabUnitResult, from peer: PeerID, at now: Duration, _ actions: inout [CoordinatorAction]
    ) {
        let key = result.key
        if case .slab(key)? = workers[peer]?.assignment { _ = release(peer) }
        guard var job = takeJob(key.jobID) else {
            actions.append(.event(.duplicateSlabResultIgnored(key, from: peer)))
            return
        }
        let merged: (outcome: RoundProgress.Outcome, complete: String?)
        do throws(ClusterError) {
            if job.rounds != nil, job.state == .running { try result.validate(for: job.spec) }
            merged = try job.merge(slab: result)
        } catch {
            jobs[key.jobID] = job
            actions.append(.event(.slabResultRejected(key, from: peer, reason: error.description)))
            if case .tallyOverflow = error {
                finish(key.jobID, .failed, reason: error.description, &actions)
            } else {
                requeue(
                    .slab(key), heldBy: peer, reason: refusal(of: peer, error.description),
                    countsAsAttempt: true, &actions)
            }
            return
        }
        jobs[key.jobID] = job
        guard case .merged(let consumed) = merged.outcome else {
            actions.append(.event(.duplicateSlabResultIgnored(key, from: peer)))
            return
        }
        actions.append(.persistSlabResult(result))
        for bank in result.outgoing { blobs[bank.digest] = bank.bytes }
        if !consumed.isEmpty {
            for digest in consumed { blobs[digest] = nil }
            actions.append(.forgetBanks(consumed))
        }
        if let complete = merged.complete { finish(key.jobID, .completed, reason: complete, &actions) }
    }
}
