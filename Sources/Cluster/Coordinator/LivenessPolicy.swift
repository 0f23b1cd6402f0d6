/// Heartbeat and reconnect timing, after the ZeroMQ guide's Paranoid Pirate pattern: both sides
/// send a heartbeat every `heartbeatInterval` when they have nothing else to say; a peer silent for
/// `liveness` intervals is dead; a worker that lost its coordinator reconnects after
/// `reconnectInitial`, doubling the wait after each failure up to `reconnectMaximum`.
public struct LivenessPolicy: Hashable, Sendable {
    /// Time between heartbeats.
    public var heartbeatInterval: Duration
    /// Missed heartbeat intervals after which a peer is declared dead.
    public var liveness: Int
    /// First reconnect delay.
    public var reconnectInitial: Duration
    /// The cap of the exponential reconnect back-off.
    public var reconnectMaximum: Duration
    /// Hand-outs of one unit (first run plus retries after failures) before its job fails.
    public var maximumAttempts: Int
    /// How long one assignment should last: a worker whose pace on a job is known gets a span of as
    /// many consecutive units as fit (nil: one unit per assignment).
    public var targetAssignmentDuration: Duration?

    /// Creates a policy.
    public init(
        heartbeatInterval: Duration, liveness: Int, reconnectInitial: Duration, reconnectMaximum: Duration,
        maximumAttempts: Int, targetAssignmentDuration: Duration? = nil
    ) {
        self.heartbeatInterval = heartbeatInterval
        self.liveness = liveness
        self.reconnectInitial = reconnectInitial
        self.reconnectMaximum = reconnectMaximum
        self.maximumAttempts = maximumAttempts
        self.targetAssignmentDuration = targetAssignmentDuration
    }

    /// Defaults for a cluster: 1 s heartbeats, dead after 3 missed (the guide's HEARTBEAT_LIVENESS),
    /// reconnect after 1 s doubling to 32 s (its INTERVAL_INIT and INTERVAL_MAX), 5 attempts per unit,
    /// assignments of about 10 s (long enough that a result's transfer and merge are a small cost, short
    /// enough that a lost worker costs little and the last assignments of a job end together).
    public static let standard = LivenessPolicy(
        heartbeatInterval: .seconds(1), liveness: 3, reconnectInitial: .seconds(1), reconnectMaximum: .seconds(32),
        maximumAttempts: 5, targetAssignmentDuration: .seconds(10))

    /// How long a peer may stay silent.
    public var expiry: Duration { heartbeatInterval * liveness }

    /// The back-off after `delay`: doubled, capped.
    public func backedOff(_ delay: Duration) -> Duration { min(delay * 2, reconnectMaximum) }
}
