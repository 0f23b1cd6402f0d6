/// One worker thread's tally memory, as a worker reports it with each result (issue 5 item 3: memory per
/// thread bounded and reported), so that a client of any cluster (embedded, `--workers N`, a remote
/// coordinator) can say what the threads that computed its job held.
public struct TallyMemory: Hashable, Sendable {
    /// Bytes of one thread's tally records (all of them allocated: the whole grid).
    public let bytesPerThread: UInt64
    /// Of them, the most that one thread's histories wrote so far, in whole blocks.
    public let touchedBytesPerThread: UInt64

    /// A report.
    public init(bytesPerThread: UInt64, touchedBytesPerThread: UInt64) {
        self.bytesPerThread = bytesPerThread
        self.touchedBytesPerThread = touchedBytesPerThread
    }

    /// The largest of two reports, field by field (the largest over workers and units), or this one
    /// when `other` is nil.
    public func largest(with other: TallyMemory?) -> TallyMemory {
        guard let other else { return self }
        return TallyMemory(
            bytesPerThread: max(bytesPerThread, other.bytesPerThread),
            touchedBytesPerThread: max(touchedBytesPerThread, other.touchedBytesPerThread))
    }
}
