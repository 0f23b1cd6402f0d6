import Testing

@testable import Cluster

/// A coordinator and workers wired together in memory with a manual clock: every message goes
/// through the real codec, units run on the synthetic workload when a worker is "computing", and a
/// test decides who dies, who is slow, and when the coordinator restarts.
struct ManualCluster {
    static let policy = LivenessPolicy(
        heartbeatInterval: .seconds(1), liveness: 3, reconnectInitial: .seconds(1), reconnectMaximum: .seconds(8),
        maximumAttempts: 3)

    /// How the coordinator comes to refuse a worker's RESULT.
    enum Refusal: Sendable, CaseIterable {
        /// Its frames are cut short: they do not decode.
        case malformed
        /// It decodes but fails its check (a slab listed twice).
        case failsCheck
    }

    struct Node {
        var machine: WorkerMachine
        /// The routing id of its current connection (a reconnect makes a new one).
        var connection = 0
        var running: WorkUnit?
        var runningSlab: SlabWorkUnit?
        var inputs: [ContentDigest: [UInt8]] = [:]
        /// Runs units at once when true; holds them until `complete` when false.
        var fast = true
        var alive = true
        var stopped: String?
        var reconnects: [Duration] = []
        /// How many of its next RESULTs the coordinator will refuse, and why.
        var refusedResults = 0
        var refusal = Refusal.malformed
    }

    var coordinator: Coordinator
    var nodes: [String: Node] = [:]
    var now: Duration = .zero
    var coordinatorUp = true
    var toCoordinator: [(PeerID, [[UInt8]])] = []
    var toWorker: [(PeerID, [[UInt8]])] = []
    var persisted: [UnitResult] = []
    var events: [ClusterEvent] = []
    var replies: [WireMessage] = []
    var checkpoints: [UInt64] = []
    var persistedSlabs: [SlabUnitResult] = []
    var forgotten: [ContentDigest] = []
    /// When set, persisting actions are carried out on it as the coordinator's loop does.
    var store: JobStore?

    init(coordinator: Coordinator = Coordinator(policy: policy)) { self.coordinator = coordinator }

    func peer(_ name: String) -> PeerID { PeerID(Array("\(name)#\(nodes[name]!.connection)".utf8)) }
    func name(of peer: PeerID) -> String? { nodes.keys.first { self.peer($0) == peer } }

    mutating func addWorker(_ name: String, version: UInt16 = WireLimits.protocolVersion) {
        nodes[name] = Node(machine: WorkerMachine(policy: Self.policy, name: name, threads: 1, workloads: [SyntheticWorkload.name]))
        let actions = nodes[name]!.machine.start(at: now)
        if version != WireLimits.protocolVersion {
            toCoordinator.append((peer(name), WireCodec.encode(.ready(WorkerHello(protocolVersion: version, name: name, threads: 1, workloads: [])))))
        } else {
            perform(actions, for: name)
        }
        settle()
    }

    mutating func submit(_ spec: JobSpec, inputs: [[UInt8]] = [], client: String = "client") {
        toCoordinator.append((PeerID(Array(client.utf8)), WireCodec.encode(.submit(requestID: 1, spec: spec, inputs: inputs))))
        settle()
    }

    /// Routes messages until nothing moves (bounded: a livelock, e.g. a worker refused and
    /// re-joining forever, fails the test instead of hanging it).
    mutating func settle() {
        var exchanges = 0
        while !toCoordinator.isEmpty || !toWorker.isEmpty {
            exchanges += 1
            guard exchanges <= 10_000 else {
                Issue.record("messages still moving after 10 000 exchanges: a livelock; last events \(events.suffix(4))")
                toCoordinator = []
                toWorker = []
                return
            }
            for (from, frames) in toCoordinator {
                guard coordinatorUp else { continue }
                let actions: [CoordinatorAction]
                do {
                    actions = coordinator.received(try WireCodec.decode(frames), from: from, at: now)
                } catch {
                    actions = coordinator.receivedUndecodable(error, from: from, at: now)
                }
                handle(actions)
            }
            toCoordinator = []
            let deliveries = toWorker
            toWorker = []
            for (to, frames) in deliveries {
                guard let name = name(of: to), nodes[name]!.alive else { continue }
                let message = try! WireCodec.decode(frames)
                let actions = nodes[name]!.machine.received(message, at: now)
                perform(actions, for: name)
            }
        }
    }

    mutating func handle(_ actions: [CoordinatorAction]) {
        for action in actions {
            switch action {
            case .send(let message, let to):
                if nodes.keys.contains(where: { peer($0) == to }) {
                    toWorker.append((to, WireCodec.encode(message)))
                } else {
                    replies.append(message)
                }
            case .persistResult(let result):
                persisted.append(result)
                try! store?.commit(result)
            case .event(let event): events.append(event)
            case .checkpoint(let id):
                checkpoints.append(id)
                if let job = coordinator.jobs[id] { try! store?.checkpoint(job) }
            case .persistJob(let id, let spec, let inputs): try! store?.insertJob(id: id, spec: spec, inputs: inputs)
            case .persistState(let id, let state, let reason): try! store?.setState(jobID: id, state, reason: reason)
            case .persistSlabResult(let result):
                persistedSlabs.append(result)
                try! store?.commit(slab: result)
            case .forgetBanks(let digests):
                forgotten += digests
                store?.deleteBanks(digests)
            }
        }
    }

    mutating func perform(_ actions: [WorkerAction], for name: String) {
        for action in actions {
            switch action {
            case .send(.result(let result)) where nodes[name]!.refusedResults > 0:
                nodes[name]!.refusedResults -= 1
                toCoordinator.append((peer(name), Self.refusable(result, nodes[name]!.refusal)))
            case .send(let message):
                toCoordinator.append((peer(name), WireCodec.encode(message)))
            case .reconnect:
                nodes[name]!.connection += 1
                nodes[name]!.reconnects.append(now)
            case .execute(let unit, let inputs):
                nodes[name]!.running = unit
                nodes[name]!.inputs = inputs
                if nodes[name]!.fast { complete(name) }
            case .executeSlab(let unit, let inputs):
                nodes[name]!.runningSlab = unit
                nodes[name]!.inputs = inputs
                if nodes[name]!.fast { complete(name) }
            case .stop(let reason):
                nodes[name]!.stopped = reason
            case .log:
                break
            }
        }
    }

    /// The frames of `result` spoilt so that the coordinator refuses them.
    static func refusable(_ result: UnitResult, _ refusal: Refusal) -> [[UInt8]] {
        switch refusal {
        case .malformed:
            var frames = WireCodec.encode(.result(result))
            frames[0].removeLast()
            return frames
        case .failsCheck:
            precondition(!result.slabs.isEmpty, "a result with no slab cannot list one twice")
            let doubled = UnitResult(
                key: result.key, historyCount: result.historyCount, slabs: result.slabs + result.slabs,
                tallyMemory: result.tallyMemory)
            return WireCodec.encode(.result(doubled))
        }
    }

    /// The worker finishes its unit now.
    mutating func complete(_ name: String) {
        if let unit = nodes[name]!.runningSlab {
            nodes[name]!.runningSlab = nil
            let result = try! SyntheticWorkload().execute(slab: unit, inputs: nodes[name]!.inputs, threads: 1)
            perform(nodes[name]!.machine.finished(slab: result, at: now), for: name)
            return
        }
        guard let unit = nodes[name]!.running else { return }
        nodes[name]!.running = nil
        let result = try! SyntheticWorkload().execute(unit, inputs: nodes[name]!.inputs, threads: 1)
        perform(nodes[name]!.machine.finished(result, at: now), for: name)
    }

    /// Advances the clock in 100 ms steps, ticking every live party.
    mutating func advance(by duration: Duration) {
        let end = now + duration
        while now < end {
            now += .milliseconds(100)
            if coordinatorUp { handle(coordinator.tick(at: now)) }
            for name in nodes.keys.sorted() where nodes[name]!.alive {
                perform(nodes[name]!.machine.tick(at: now), for: name)
            }
            settle()
        }
    }

    /// The reference: every unit of `spec` merged directly.
    static func reference(_ spec: JobSpec, inputs: [ContentDigest: [UInt8]] = [:]) -> MergedTally {
        var tally = MergedTally(layout: spec.layout)
        for index in 0..<spec.unitCount {
            try! tally.add(SyntheticWorkload().execute(Samples.unit(spec, index: index), inputs: inputs, threads: 1))
        }
        return tally
    }
}
