/// What a worker returns for one unit: the per-slab sparse tallies and the histories they sum over.
public struct UnitResult: Hashable, Sendable {
    /// Which unit.
    public let key: UnitKey
    /// Histories run (must equal the unit's).
    public let historyCount: UInt64
    /// One entry per touched slab, in increasing slab order.
    public let slabs: [SlabTally]
    /// The worker's tally memory per thread when it ran the unit, if its executor reports it.
    public let tallyMemory: TallyMemory?

    /// Creates a result.
    public init(key: UnitKey, historyCount: UInt64, slabs: [SlabTally], tallyMemory: TallyMemory? = nil) {
        self.key = key
        self.historyCount = historyCount
        self.slabs = slabs
        self.tallyMemory = tallyMemory
    }

    /// The result of a unit whose executor tallied into dense whole-grid columns (as the transport
    /// engine's `EnergyTally` does): the touched voxels of each slab become sparse slab tallies. The columns
    /// are read in place (a tally's views), not copied into dense arrays first.
    /// - Precondition: both columns have `layout.voxelCount` entries, indexed from 0.
    public init<Sums: RandomAccessCollection<UInt64>, Squares: RandomAccessCollection<UInt128>>(
        key: UnitKey, historyCount: UInt64, layout: SlabLayout, energySum: Sums, energySquaredSum: Squares
    ) where Sums.Index == Int, Squares.Index == Int {
        precondition(energySum.count == layout.voxelCount && energySquaredSum.count == layout.voxelCount)
        var builder = SlabTallyBuilder(layout: layout)
        for index in 0..<layout.voxelCount where energySum[index] != 0 || energySquaredSum[index] != 0 {
            builder.append(voxel: index, energySum: energySum[index], energySquaredSum: energySquaredSum[index])
        }
        self.init(key: key, historyCount: historyCount, slabs: builder.finish())
    }

    /// Checks the result fits its span of units (starting at its key's unit): a history count that
    /// covers whole units, and every slab increasing, unique and in range.
    /// - Throws: `ClusterError.invalidResult` saying what does not fit.
    public func validate(for spec: JobSpec) throws(ClusterError) {
        guard spec.units(from: Int(key.index), histories: historyCount) != nil else {
            throw .invalidResult(key, "\(historyCount) histories do not cover whole units of \(spec.historiesPerUnit)")
        }
        var previous: Int64 = -1
        for slab in slabs {
            guard Int64(slab.slab) > previous else { throw .invalidResult(key, "slabs not in increasing order") }
            previous = Int64(slab.slab)
            if let problem = slab.validate(in: spec.layout) { throw .invalidResult(key, problem) }
        }
    }
}
