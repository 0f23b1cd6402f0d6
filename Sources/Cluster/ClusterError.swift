/// What went wrong in the cluster layer, with a message that says what to do.
public enum ClusterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A job description that cannot run.
    case invalidJob(String)
    /// A unit result that does not fit its job (wrong slab, voxel out of range, unsorted, wrong history count).
    case invalidResult(UnitKey, String)
    /// A decomposed unit's result that does not fit its job (voxel out of its slab, bank for a foreign slab).
    case invalidSlabResult(SlabUnitKey, String)
    /// A tally sum would exceed its integer range.
    case tallyOverflow(String)
    /// A job that the coordinator does not know.
    case unknownJob(UInt64)
    /// A state directory or checkpoint that cannot be read or written.
    case storage(String)
    /// Settings that do not fit together.
    case configuration(String)
    /// The coordinator did not answer in time.
    case timeout(String)
    /// The coordinator refused a request.
    case refused(String)

    public var description: String {
        switch self {
        case let .invalidJob(reason): "invalid job: \(reason)"
        case let .invalidResult(key, reason): "invalid result for \(key): \(reason)"
        case let .invalidSlabResult(key, reason): "invalid result for \(key): \(reason)"
        case let .tallyOverflow(reason): "tally overflow: \(reason); split the job into several jobs"
        case let .unknownJob(id): "no job \(id) on this coordinator; list jobs with 'penumbra status'"
        case let .storage(reason): "state storage: \(reason)"
        case let .configuration(reason): "configuration: \(reason)"
        case let .timeout(reason): "timed out: \(reason); is the coordinator running and reachable?"
        case let .refused(reason): "refused by the coordinator: \(reason)"
        }
    }
}
