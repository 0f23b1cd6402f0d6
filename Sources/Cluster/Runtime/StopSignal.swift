import Synchronization

/// A flag one thread raises to ask a loop on another thread to finish; loops check it at least
/// every `LoopTiming.maximumPoll`.
public final class StopSignal: Sendable {
    private let raised = Atomic<Bool>(false)

    /// A lowered flag.
    public init() {}

    /// Asks the loop to stop.
    public func raise() { raised.store(true, ordering: .releasing) }

    /// True once `raise()` was called.
    public var isRaised: Bool { raised.load(ordering: .acquiring) }
}

/// Poll timing shared by the loops.
enum LoopTiming {
    /// The longest a loop blocks in `zmq_poll`, so that it notices a stop request promptly.
    static let maximumPoll: Duration = .milliseconds(100)

    /// Milliseconds to wait until `deadline`, between 0 and `maximumPoll`.
    static func pollTimeoutMS(now: Duration, deadline: Duration) -> Int {
        let wait = min(max(deadline - now, .zero), maximumPoll)
        return Int(wait.components.seconds * 1_000 + wait.components.attoseconds / 1_000_000_000_000_000)
    }
}
