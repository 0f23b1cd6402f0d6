/// What a worker says about itself in READY.
public struct WorkerHello: Hashable, Sendable {
    /// The protocol version the worker speaks (the version field of its READY header).
    public let protocolVersion: UInt16
    /// A name for logs (host name and process id; never patient data).
    public let name: String
    /// Threads the worker runs a unit on.
    public let threads: UInt32
    /// The workloads it can execute (`JobSpec.workload`).
    public let workloads: [String]
    /// The unit it is still computing from before it (re)connected, if any: the coordinator keeps it
    /// assigned to this worker rather than handing it out again.
    public let runningUnit: UnitKey?
    /// The histories of that assignment (a span of units starting at `runningUnit`), when known.
    public let runningHistories: Range<UInt64>?
    /// The decomposed unit it is still computing from before it (re)connected, if any (protocol v3).
    public let runningSlabUnit: SlabUnitKey?

    /// Creates a hello.
    public init(
        protocolVersion: UInt16 = WireLimits.protocolVersion, name: String, threads: UInt32, workloads: [String],
        runningUnit: UnitKey? = nil, runningHistories: Range<UInt64>? = nil,
        runningSlabUnit: SlabUnitKey? = nil
    ) {
        self.runningSlabUnit = runningUnit == nil ? runningSlabUnit : nil
        self.runningUnit = runningUnit
        self.runningHistories = runningUnit == nil ? nil : runningHistories
        self.protocolVersion = protocolVersion
        self.name = name
        self.threads = threads
        self.workloads = workloads
    }
}
