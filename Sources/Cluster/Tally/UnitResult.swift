/// What a worker returns for one unit: the per-slab sparse tallies and the histories they sum over.
public struct UnitResult: Hashable, Sendable {
    /// Which unit.
    public let key: UnitKey
    /// Histories run (must equal the unit's).
    public let historyCount: UInt64
    /// One entry per touched slab, in increasing slab order.
    public let slabs: [SlabTally]

    /// Creates a result.
    public init(key: UnitKey, historyCount: UInt64, slabs: [SlabTally]) {
        self.key = key
        self.historyCount = historyCount
        self.slabs = slabs
    }

    /// Checks the result fits its unit: history count and every slab (increasing, unique, in range).
    /// - Throws: `ClusterError.invalidResult` saying what does not fit.
    public func validate(for spec: JobSpec) throws(ClusterError) {
        let expected = spec.histories(ofUnit: Int(key.index)).count
        guard historyCount == expected else {
            throw .invalidResult(key, "\(historyCount) histories, the unit has \(expected)")
        }
        var previous: Int64 = -1
        for slab in slabs {
            guard Int64(slab.slab) > previous else { throw .invalidResult(key, "slabs not in increasing order") }
            previous = Int64(slab.slab)
            if let problem = slab.validate(in: spec.layout) { throw .invalidResult(key, problem) }
        }
    }
}
