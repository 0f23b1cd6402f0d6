/// The worker as a pure state machine (time injected, no sockets): READY on connect, heartbeats
/// both ways, blob fetching, one unit at a time, and reconnection with capped exponential back-off
/// when the coordinator goes silent (the ZeroMQ guide's Paranoid Pirate worker).
public struct WorkerMachine: Sendable {
    /// What the worker is doing.
    enum Task: Hashable, Sendable {
        case idle
        /// Waiting for inputs before running the unit.
        case fetching(WorkUnit, missing: Set<ContentDigest>)
        case running(WorkUnit)
        /// Waiting for a decomposed unit's inputs and banks.
        case fetchingSlab(SlabWorkUnit, missing: Set<ContentDigest>)
        case runningSlab(SlabWorkUnit)
    }

    /// The timing constants.
    public let policy: LivenessPolicy
    private let name: String
    private let threads: UInt32
    private let workloads: [String]
    var task: Task = .idle
    /// The coordinator is dead unless heard from before this time.
    private var expiry: Duration = .zero
    private var lastSent: Duration = .zero
    /// The wait before the next reconnect; doubles after each silent period, capped.
    private(set) var reconnectDelay: Duration
    /// While disconnected: when to reconnect.
    private(set) var reconnectAt: Duration?
    /// A finished result not yet delivered (it is sent after the next READY).
    private var undelivered: WireMessage?
    /// Verified inputs, by digest (kept across units of the same job).
    private var cache: [ContentDigest: [UInt8]] = [:]
    private var stopped = false

    /// Creates a worker that can run `workloads` on `threads` threads.
    public init(policy: LivenessPolicy = .standard, name: String, threads: Int, workloads: [String]) {
        self.policy = policy
        self.name = name
        self.threads = UInt32(threads)
        self.workloads = workloads
        reconnectDelay = policy.reconnectInitial
    }

    private var hello: WorkerHello {
        var running: WorkUnit?, slab: SlabWorkUnit?
        switch task {
        case .idle: break
        case .fetching(let unit, _), .running(let unit): running = unit
        case .fetchingSlab(let unit, _), .runningSlab(let unit): slab = unit
        }
        return WorkerHello(
            name: name, threads: threads, workloads: workloads, runningUnit: running?.key,
            runningHistories: running?.histories, runningSlabUnit: slab?.key)
    }

    // MARK: - Inputs

    /// The loop has connected the socket: say READY.
    public mutating func start(at now: Duration) -> [WorkerAction] {
        expiry = now + policy.expiry
        lastSent = now
        return [.send(.ready(hello))]
    }

    /// Handles one message from the coordinator.
    public mutating func received(_ message: WireMessage, at now: Duration) -> [WorkerAction] {
        guard !stopped, reconnectAt == nil else { return [] }
        expiry = now + policy.expiry
        reconnectDelay = policy.reconnectInitial
        var actions: [WorkerAction] = []
        switch message {
        case .heartbeat:
            break
        case .assign(let unit):
            guard case .idle = task else {
                // Only a coordinator that lost track of this worker assigns to it while it is busy (e.g.
                // it took a result of an earlier assignment of the same unit for the current one). READY
                // again names what runs here: the coordinator takes the unit back without counting an
                // attempt and waits for this worker's report (docs/protocol.md).
                send(.ready(hello), now, &actions)
                break
            }
            let missing = Set(unit.spec.inputs.filter { cache[$0] == nil })
            if missing.isEmpty {
                task = .running(unit)
                actions.append(.execute(unit, inputs: inputs(of: unit)))
            } else {
                task = .fetching(unit, missing: missing)
                for digest in missing.sorted() { send(.blobRequest(digest), now, &actions) }
            }
        case .assignSlab(let unit):
            guard case .idle = task else {
                send(.ready(hello), now, &actions)
                break
            }
            let missing = Set(unit.inputs.filter { cache[$0] == nil })
            if missing.isEmpty {
                startSlab(unit, &actions)
            } else {
                task = .fetchingSlab(unit, missing: missing)
                // In the unit's order (common inputs, slab, banks), each once.
                var asked = Set<ContentDigest>()
                for digest in unit.inputs where missing.contains(digest) && asked.insert(digest).inserted {
                    send(.blobRequest(digest), now, &actions)
                }
            }
        case .blob(let digest, let data):
            // The decoder has checked that the bytes hash to the digest.
            cache[digest] = data
            if case .fetchingSlab(let unit, var missing) = task {
                missing.remove(digest)
                if missing.isEmpty {
                    startSlab(unit, &actions)
                } else {
                    task = .fetchingSlab(unit, missing: missing)
                }
            } else if case .fetching(let unit, var missing) = task {
                missing.remove(digest)
                if missing.isEmpty {
                    task = .running(unit)
                    actions.append(.execute(unit, inputs: inputs(of: unit)))
                } else {
                    task = .fetching(unit, missing: missing)
                }
            }
        case .disconnect(let code, let reason):
            if code.isFatal {
                stopped = true
                actions.append(.stop(reason: reason))
            } else {
                actions.append(.log("coordinator said DISCONNECT: \(reason)"))
                abandonFetching()
                reconnectAt = now
                return actions + tick(at: now)
            }
        default:
            actions.append(.log("ignored unexpected \(message.kind) from the coordinator"))
        }
        return actions
    }

    /// The executor finished the current unit.
    public mutating func finished(_ result: UnitResult, at now: Duration) -> [WorkerAction] {
        deliver(.result(result), for: result.key, now)
    }

    /// The executor could not run the current unit.
    public mutating func failed(_ key: UnitKey, reason: String, at now: Duration) -> [WorkerAction] {
        deliver(.unitFailed(key, reason: reason), for: key, now)
    }

    /// The executor finished the current decomposed unit.
    public mutating func finished(slab result: SlabUnitResult, at now: Duration) -> [WorkerAction] {
        deliver(.slabResult(result), forSlab: result.key, now)
    }

    /// The executor could not run the current decomposed unit.
    public mutating func failed(slab key: SlabUnitKey, reason: String, at now: Duration) -> [WorkerAction] {
        deliver(.slabFailed(key, reason: reason), forSlab: key, now)
    }

    /// Advances the clock: reconnect when due, declare the coordinator dead when silent, heartbeat.
    public mutating func tick(at now: Duration) -> [WorkerAction] {
        guard !stopped else { return [] }
        var actions: [WorkerAction] = []
        if let due = reconnectAt {
            guard now >= due else { return [] }
            reconnectAt = nil
            actions.append(.reconnect)
            actions += start(at: now)
            if let message = undelivered {
                undelivered = nil
                send(message, now, &actions)
            }
            return actions
        }
        if now >= expiry {
            // Paranoid Pirate: wait, then reconnect; wait twice as long next time, up to the cap.
            reconnectAt = now + reconnectDelay
            actions.append(.log("coordinator silent for \(policy.expiry); reconnecting in \(reconnectDelay)"))
            reconnectDelay = policy.backedOff(reconnectDelay)
            abandonFetching()
        } else if now - lastSent >= policy.heartbeatInterval {
            send(.heartbeat, now, &actions)
        }
        return actions
    }

    /// When `tick` next has something to do.
    public func nextDeadline(after now: Duration) -> Duration {
        if let reconnectAt { return reconnectAt }
        return min(expiry, lastSent + policy.heartbeatInterval)
    }

    // MARK: - Helpers

    private mutating func deliver(_ message: WireMessage, forSlab key: SlabUnitKey, _ now: Duration) -> [WorkerAction] {
        guard case .runningSlab(let unit) = task, unit.key == key else { return [] }
        return deliverCurrent(message, now)
    }

    private mutating func deliver(_ message: WireMessage, for key: UnitKey, _ now: Duration) -> [WorkerAction] {
        guard case .running(let unit) = task, unit.key == key else { return [] }
        return deliverCurrent(message, now)
    }

    private mutating func deliverCurrent(_ message: WireMessage, _ now: Duration) -> [WorkerAction] {
        task = .idle
        // A reply for the old connection's coordinator is still wanted by the new one: results are
        // keyed, so the coordinator merges it unless the unit was merged meanwhile.
        guard reconnectAt == nil, !stopped else {
            undelivered = message
            return []
        }
        var actions: [WorkerAction] = []
        send(message, now, &actions)
        return actions
    }

    private mutating func send(_ message: WireMessage, _ now: Duration, _ actions: inout [WorkerAction]) {
        lastSent = now
        actions.append(.send(message))
    }

    /// A unit still fetching is dropped when the connection goes: the coordinator re-queues it.
    private mutating func abandonFetching() {
        switch task {
        case .fetching, .fetchingSlab: task = .idle
        default: break
        }
    }

    /// Runs a decomposed unit whose blobs are all here. Banks are used once: they leave the cache
    /// (the job's inputs and slab phantoms stay for the next rounds).
    private mutating func startSlab(_ unit: SlabWorkUnit, _ actions: inout [WorkerAction]) {
        task = .runningSlab(unit)
        let inputs = Dictionary(unit.inputs.map { ($0, cache[$0]!) }, uniquingKeysWith: { first, _ in first })
        for bank in unit.banks { cache[bank] = nil }
        actions.append(.executeSlab(unit, inputs: inputs))
    }

    private func inputs(of unit: WorkUnit) -> [ContentDigest: [UInt8]] {
        Dictionary(uniqueKeysWithValues: unit.spec.inputs.map { ($0, cache[$0]!) })
    }
}
