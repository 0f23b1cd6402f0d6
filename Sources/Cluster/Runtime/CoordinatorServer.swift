import Foundation
import Logging
import ZeroMQ

/// The coordinator's socket loop: a ROUTER socket, the `Coordinator` state machine and the
/// `JobStore`. It only moves bytes: decode, hand to the machine, carry out the actions.
///
/// Create, run and drop it on one thread (it owns a socket).
public final class CoordinatorServer {
    /// How often merged tallies of running jobs are checkpointed by default (results committed in
    /// between are safe in SQLite; the checkpoint only keeps restarts fast and the database small).
    public static let checkpointInterval: Duration = .seconds(10)

    private let socket: Socket
    private let authenticator: CurveAuthenticator?
    private var machine: Coordinator
    private let store: JobStore?
    private let logger: Logger
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    /// Jobs with results merged since their last checkpoint.
    private var dirty: Set<UInt64> = []
    /// Jobs to checkpoint as soon as the checkpoint writer is idle.
    private var due: Set<UInt64> = []
    private let checkpointInterval: Duration
    private var lastCheckpoint: Duration = .zero
    /// Called on the checkpoint writer's thread before each checkpoint (tests hold it there).
    var beforeEachCheckpointWrite: (@Sendable () -> Void)?
    private let metrics: CoordinatorMetrics?
    /// Histories merged since `rateStart`, for the histories-per-second gauge.
    private var recentHistories: UInt64 = 0
    private var rateStart: Duration = .zero

    /// The endpoint the socket is bound to, with a `*` port resolved.
    public let endpoint: String

    /// Binds the coordinator and restores its jobs.
    /// - Parameters:
    ///   - context: the ZeroMQ context.
    ///   - endpoint: where to bind, e.g. `tcp://127.0.0.1:5555` or `inproc://penumbra`.
    ///   - store: the durable state, or nil to keep everything in memory (embedded single runs).
    ///   - policy: heartbeat and retry timing.
    ///   - curve: `.server(keys)` to encrypt and authenticate, or `.none`.
    ///   - allowedClientKeys: with CURVE, the public keys of the workers and clients that may connect
    ///     (nil: anyone who knows the server key).
    ///   - logger: where events go (never patient data).
    ///   - metrics: where to count units, workers, histories and merge times (nil: nowhere).
    ///   - checkpointInterval: how often running jobs' merged tallies are checkpointed.
    /// - Throws: `ZMQError` when the endpoint cannot be bound; `ClusterError.storage` when the state
    ///   cannot be restored.
    public init(
        context: Context, endpoint: String, store: JobStore?, policy: LivenessPolicy = .standard,
        curve: CurveSettings = .none, allowedClientKeys: Set<String>? = nil, logger: Logger,
        metrics: CoordinatorMetrics? = nil, checkpointInterval: Duration = CoordinatorServer.checkpointInterval
    ) throws {
        self.checkpointInterval = checkpointInterval
        if let allowedClientKeys {
            guard case .server = curve else {
                throw ClusterError.configuration("allowed client keys need CURVE: give the coordinator a key pair")
            }
            authenticator = try CurveAuthenticator(context: context, allowedPublicKeys: allowedClientKeys) {
                key, allowed in
                if !allowed { logger.warning("refused a CURVE client with public key \(key): not in the allowed keys") }
            }
        } else {
            authenticator = nil
        }
        socket = try Socket(context, .router)
        try socket.setZAPDomain(CurveAuthenticator.domain)
        try socket.setRouterMandatory(true)
        try socket.setMaximumMessageSize(bytes: Int64(WireLimits.maximumFrameBytes))
        try socket.setSendHighWaterMark(10_000)
        try socket.setReceiveHighWaterMark(10_000)
        try curve.apply(to: socket)
        try socket.bind(endpoint)
        self.endpoint = try socket.lastEndpoint()
        self.store = store
        self.logger = logger
        self.metrics = metrics
        origin = clock.now
        let (jobs, blobs) = try store?.restore() ?? ([], [:])
        machine = Coordinator(policy: policy, restoring: jobs, blobs: blobs)
        for job in jobs where job.state == .running {
            if let rounds = job.rounds {
                logger.info("resumed job \(job.id): \(rounds.folded) of \(rounds.decomposition.batches) batches folded, open rounds replayed")
            } else {
                logger.info("resumed job \(job.id): \(job.unitsDone) of \(job.units.count) units committed")
            }
        }
    }

    /// Serves until `stop` is raised. Checkpoints are written by a thread of their own
    /// (`CheckpointWriter`), which `run` ends before it returns; the last ones are written on the way out.
    /// - Throws: `ClusterError.storage` when the state cannot be written (the coordinator stops
    ///   rather than acknowledge work it could lose), or `ZMQError` when the socket fails.
    public func run(until stop: StopSignal) throws {
        let writer = store.map { CheckpointWriter(store: $0, beforeEachWrite: beforeEachCheckpointWrite) }
        defer { writer?.finish() }
        var poller = Poller()
        poller.add(socket)
        while !stop.isRaised {
            let now = clock.now - origin
            let deadline = machine.nextDeadline(after: now)
            if try poller.poll(timeoutMS: LoopTiming.pollTimeoutMS(now: now, deadline: deadline))[0] {
                // Drain what is queued, but bounded, so that ticks are never starved.
                for _ in 0..<1_000 {
                    guard let frames = try socket.receive(wait: false) else { break }
                    try handle(frames, at: clock.now - origin)
                }
            }
            let later = clock.now - origin
            try perform(machine.tick(at: later))
            if later - lastCheckpoint >= checkpointInterval {
                due.formUnion(dirty)
                dirty = []
                lastCheckpoint = later
            }
            if let writer { try startCheckpoints(on: writer) }
            updateGauges(at: later)
        }
        guard let store, let writer else { return }
        writer.finish()
        if let failure = writer.takeFailure() { throw failure }
        for id in due.union(dirty).sorted() { if let job = machine.jobs[id] { try store.checkpoint(job) } }
    }

    /// Hands the due jobs' snapshots to the writer if it is idle (otherwise they wait for a later turn
    /// of the loop, and are then taken afresh).
    private func startCheckpoints(on writer: CheckpointWriter) throws {
        if let failure = writer.takeFailure() { throw failure }
        guard let store, !due.isEmpty, writer.isIdle else { return }
        let snapshots = due.sorted().compactMap { id in machine.jobs[id].map { store.snapshot(of: $0) } }
        if writer.start(snapshots) { due = [] }
    }

    private func handle(_ frames: [[UInt8]], at now: Duration) throws {
        guard frames.count >= 2 else {
            logger.warning("refused a message without routing envelope (\(frames.count) frames)")
            return
        }
        let peer = PeerID(frames[0])
        let message: WireMessage
        do {
            message = try WireCodec.decode(Array(frames.dropFirst()))
        } catch {
            try perform(machine.receivedUndecodable(error, from: peer, at: now))
            return
        }
        // A result's worker is sent its next span first; the result is merged while it computes.
        let start = clock.now
        let actions = machine.received(message, from: peer, at: now, mergingLater: true)
        if case .slabResult = message { metrics?.mergeSeconds.record(clock.now - start) }
        try perform(actions)
        if case .result = message {
            let start = clock.now
            let merged = machine.mergeReceived(at: now)
            metrics?.mergeSeconds.record(clock.now - start)
            try perform(merged)
        }
    }

    private func perform(_ actions: [CoordinatorAction]) throws {
        for action in actions {
            switch action {
            case .send(let message, let peer):
                do {
                    if try !socket.send([peer.bytes] + WireCodec.encode(message), wait: false) {
                        logger.warning("dropped \(message.kind) to \(peer): its queue is full")
                    }
                } catch let error as ZMQError where error.hostUnreachable {
                    logger.debug("dropped \(message.kind) to \(peer): gone")
                }
            case .persistJob(let id, let spec, let inputs):
                try store?.insertJob(id: id, spec: spec, inputs: inputs)
            case .persistResult(let result):
                let start = clock.now
                try store?.commit(result)
                dirty.insert(result.key.jobID)
                if let metrics {
                    if store != nil { metrics.commitSeconds.record(clock.now - start) }
                    let units = machine.jobs[result.key.jobID]?.spec.units(
                        from: Int(result.key.index), histories: result.historyCount)
                    metrics.unitsDone.increment(by: Int64(units?.count ?? 1))
                    metrics.historiesMerged.increment(by: Int64(result.historyCount))
                }
                recentHistories += result.historyCount
            case .persistSlabResult(let result):
                let start = clock.now
                try store?.commit(slab: result)
                dirty.insert(result.key.jobID)
                if let metrics {
                    if store != nil { metrics.commitSeconds.record(clock.now - start) }
                    metrics.unitsDone.increment()
                }
            case .forgetBanks(let digests):
                store?.deleteBanks(digests)
            case .persistState(let id, let state, let reason):
                try store?.setState(jobID: id, state, reason: reason)
            case .checkpoint(let id):
                due.insert(id)
                dirty.remove(id)
            case .event(let event):
                metrics?.record(event)
                switch event {
                case .workerLost(_, let reason) where reason.hasPrefix("said goodbye"): logger.info("\(event)")
                case .frameRefused, .resultRejected, .workerRefused, .workerLost, .unitFailed, .slabResultRejected,
                    .slabUnitFailed:
                    logger.warning("\(event)")
                case .duplicateResultIgnored, .unitRequeued, .duplicateSlabResultIgnored, .slabUnitRequeued:
                    logger.notice("\(event)")
                default: logger.info("\(event)")
                }
            }
        }
    }

    private func updateGauges(at now: Duration) {
        guard let metrics else { return }
        metrics.workersAlive.set(Int64(machine.workerCount))
        metrics.jobsRunning.set(Int64(machine.jobs.values.lazy.filter { $0.state == .running }.count))
        let elapsed = now - rateStart
        if elapsed >= .seconds(5) {
            metrics.historiesPerSecond.set(
                Double(recentHistories)
                    / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18))
            recentHistories = 0
            rateStart = now
        }
    }
}
