/// The key of a work unit: a result is merged at most once per key, whoever computed it.
public struct UnitKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The job.
    public let jobID: UInt64
    /// The unit's index within the job.
    public let index: UInt32

    /// Creates a key.
    public init(jobID: UInt64, index: UInt32) {
        self.jobID = jobID
        self.index = index
    }

    public static func < (a: UnitKey, b: UnitKey) -> Bool { (a.jobID, a.index) < (b.jobID, b.index) }
    public var description: String { "job \(jobID) unit \(index)" }
}

/// One piece of work as a worker receives it in ASSIGN: the whole job description plus the
/// histories to run.
public struct WorkUnit: Hashable, Sendable {
    /// Which unit.
    public let key: UnitKey
    /// How many times it was handed out before (0 the first time), for logs and retry limits.
    public let attempt: UInt32
    /// The job it belongs to.
    public let spec: JobSpec
    /// The histories to run (global indices: each seeds its own random stream).
    public let histories: Range<UInt64>

    /// Creates a unit.
    public init(key: UnitKey, attempt: UInt32, spec: JobSpec, histories: Range<UInt64>) {
        self.key = key
        self.attempt = attempt
        self.spec = spec
        self.histories = histories
    }
}
