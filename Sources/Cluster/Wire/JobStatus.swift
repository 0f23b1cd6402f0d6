/// Where a job is in its life.
public enum JobState: UInt8, Hashable, Sendable, CustomStringConvertible {
    /// Units remain to be computed.
    case running = 1
    /// Every unit is merged; the result can be fetched.
    case completed = 2
    /// Stopped by a client; merged units are kept.
    case cancelled = 3
    /// Stopped by the coordinator (a unit failed too often, or a tally overflowed); see the reason.
    case failed = 4

    public var description: String {
        switch self {
        case .running: "running"
        case .completed: "completed"
        case .cancelled: "cancelled"
        case .failed: "failed"
        }
    }

    /// True when no more units will run.
    public var isFinal: Bool { self != .running }
}

/// A job's progress as STATUS reports it.
public struct JobStatus: Hashable, Sendable {
    /// The job.
    public let jobID: UInt64
    /// Its state.
    public let state: JobState
    /// Its priority.
    public let priority: Int32
    /// Units in the job.
    public let unitsTotal: UInt32
    /// Units merged.
    public let unitsDone: UInt32
    /// Units out with workers now.
    public let unitsRunning: UInt32
    /// Histories merged.
    public let historiesDone: UInt64
    /// Histories in the job.
    public let historiesTotal: UInt64
    /// Workers connected to the coordinator.
    public let workersAlive: UInt32
    /// The mean relative uncertainty at the last checkpoint of a job with a target (nil before one).
    public let relativeUncertainty: Double?
    /// Why it failed or was cancelled, or why it stopped (empty otherwise).
    public let reason: String

    /// Creates a status.
    public init(
        jobID: UInt64, state: JobState, priority: Int32, unitsTotal: UInt32, unitsDone: UInt32, unitsRunning: UInt32,
        historiesDone: UInt64, historiesTotal: UInt64, workersAlive: UInt32, relativeUncertainty: Double? = nil,
        reason: String
    ) {
        self.jobID = jobID
        self.state = state
        self.priority = priority
        self.unitsTotal = unitsTotal
        self.unitsDone = unitsDone
        self.unitsRunning = unitsRunning
        self.historiesDone = historiesDone
        self.historiesTotal = historiesTotal
        self.workersAlive = workersAlive
        self.relativeUncertainty = relativeUncertainty
        self.reason = reason
    }
}
