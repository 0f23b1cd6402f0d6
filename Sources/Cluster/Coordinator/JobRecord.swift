/// One job as the coordinator holds it: its description, every unit's state, and the merged tally.
public struct JobRecord: Hashable, Sendable {
    /// Where one unit is.
    public enum UnitState: Hashable, Sendable {
        /// Waiting for a worker; `attempts` earlier hand-outs failed or were lost.
        case pending(attempts: Int)
        /// Out with a worker.
        case running(PeerID, attempts: Int)
        /// Merged into the tally (committed once persisted).
        case done
    }

    /// The job id.
    public let id: UInt64
    /// The description.
    public let spec: JobSpec
    /// The state.
    public internal(set) var state: JobState
    /// Why it failed or was cancelled.
    public internal(set) var reason: String
    /// One entry per unit.
    public internal(set) var units: [UnitState]
    /// The merged tallies of the done units.
    public internal(set) var tally: MergedTally
    /// Units done.
    public internal(set) var unitsDone = 0
    /// Units running.
    public internal(set) var unitsRunning = 0
    /// Pending unit indices, next to hand out last; entries whose unit is no longer pending are
    /// skipped when popped (a restarted worker may take a pending unit back).
    var pendingStack: [UInt32]

    /// A job with no unit done.
    init(id: UInt64, spec: JobSpec) {
        self.init(id: id, spec: spec, state: .running, reason: "", done: [], tally: MergedTally(layout: spec.layout))
    }

    /// A job restored from storage: `done` units are merged in `tally`; every other unit is pending.
    init(id: UInt64, spec: JobSpec, state: JobState, reason: String, done: Set<UInt32>, tally: MergedTally) {
        self.id = id
        self.spec = spec
        self.state = state
        self.reason = reason
        self.tally = tally
        units = (0..<spec.unitCount).map { done.contains(UInt32($0)) ? .done : .pending(attempts: 0) }
        unitsDone = done.count
        pendingStack = state == .running ? (0..<UInt32(spec.unitCount)).reversed().filter { !done.contains($0) } : []
    }

    /// True while some unit can be handed out.
    var hasPending: Bool { state == .running && !pendingStack.isEmpty }

    /// Takes the next pending unit, if any.
    mutating func popPending() -> UInt32? {
        while let index = pendingStack.popLast() {
            if case .pending = units[Int(index)] { return index }
        }
        return nil
    }

    /// The status line of this job.
    func status(workersAlive: Int) -> JobStatus {
        JobStatus(
            jobID: id, state: state, priority: spec.priority, unitsTotal: UInt32(spec.unitCount),
            unitsDone: UInt32(unitsDone), unitsRunning: UInt32(unitsRunning), historiesDone: tally.historyCount,
            historiesTotal: spec.historyCount, workersAlive: UInt32(workersAlive), reason: reason)
    }
}
