/// What the coordinator state machine asks its loop to do, in order. Persisting actions come before
/// the replies that depend on them, so a reply never announces something a crash could undo.
public enum CoordinatorAction: Hashable, Sendable {
    /// Send a message to a peer.
    case send(WireMessage, to: PeerID)
    /// Store a new job and its inputs durably (before SUBMITTED is sent).
    case persistJob(jobID: UInt64, spec: JobSpec, inputs: [[UInt8]])
    /// Store a merged unit result durably: from then on the unit is committed.
    case persistResult(UnitResult)
    /// Store a merged result of a decomposed unit durably, its outgoing banks first (files named by
    /// digest), then its row: from then on the unit is committed.
    case persistSlabResult(SlabUnitResult)
    /// Delete these banks: no unit needs them any more.
    case forgetBanks([ContentDigest])
    /// Store a job's new state.
    case persistState(jobID: UInt64, state: JobState, reason: String)
    /// Write the job's merged tallies to its checkpoint file (write, then rename).
    case checkpoint(jobID: UInt64)
    /// Something worth a log line or a metric.
    case event(ClusterEvent)
}

/// Notable things the coordinator saw, for logs and metrics (never patient data).
public enum ClusterEvent: Hashable, Sendable, CustomStringConvertible {
    case workerJoined(PeerID, name: String, threads: UInt32)
    case workerLost(PeerID, reason: String)
    case workerRefused(PeerID, reason: String)
    case unitRequeued(UnitKey, reason: String)
    case duplicateResultIgnored(UnitKey, from: PeerID)
    case resultRejected(UnitKey, from: PeerID, reason: String)
    case jobSubmitted(UInt64, units: Int)
    case jobFinished(UInt64, JobState, reason: String)
    case frameRefused(PeerID, reason: String)
    case unitFailed(UnitKey, from: PeerID, reason: String)
    case slabUnitRequeued(SlabUnitKey, reason: String)
    case duplicateSlabResultIgnored(SlabUnitKey, from: PeerID)
    case slabResultRejected(SlabUnitKey, from: PeerID, reason: String)
    case slabUnitFailed(SlabUnitKey, from: PeerID, reason: String)

    public var description: String {
        switch self {
        case let .workerJoined(peer, name, threads): "worker \(peer) (\(name), \(threads) threads) joined"
        case let .workerLost(peer, reason): "worker \(peer) lost: \(reason)"
        case let .workerRefused(peer, reason): "worker \(peer) refused: \(reason)"
        case let .unitRequeued(key, reason): "\(key) re-queued: \(reason)"
        case let .duplicateResultIgnored(key, peer): "duplicate result for \(key) from \(peer) ignored"
        case let .resultRejected(key, peer, reason): "result for \(key) from \(peer) rejected: \(reason)"
        case let .jobSubmitted(id, units): "job \(id) submitted (\(units) units)"
        case let .jobFinished(id, state, reason): "job \(id) \(state)" + (reason.isEmpty ? "" : ": \(reason)")
        case let .frameRefused(peer, reason): "message from \(peer) refused: \(reason)"
        case let .unitFailed(key, peer, reason): "\(key) failed on worker \(peer): \(reason)"
        case let .slabUnitRequeued(key, reason): "\(key) re-queued: \(reason)"
        case let .duplicateSlabResultIgnored(key, peer): "duplicate result for \(key) from \(peer) ignored"
        case let .slabResultRejected(key, peer, reason): "result for \(key) from \(peer) rejected: \(reason)"
        case let .slabUnitFailed(key, peer, reason): "\(key) failed on worker \(peer): \(reason)"
        }
    }
}
