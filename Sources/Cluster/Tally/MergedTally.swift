/// A job's merged tallies: dense Σ and Σ² per voxel plus the histories summed, built by adding unit
/// results (DESIGN.md invariant 2: merge sums, never means). Integer sums make the result the same,
/// bit for bit, whatever order the units arrive in.
public struct MergedTally: Hashable, Sendable {
    /// The grid and its slabs.
    public let layout: SlabLayout
    /// Histories summed so far.
    public private(set) var historyCount: UInt64 = 0
    /// Σ energy per voxel, in quanta, x fastest.
    public private(set) var energySum: [UInt64]
    /// Σ per-history energy² per voxel, in quanta².
    public private(set) var energySquaredSum: [UInt128]

    /// An empty tally over `layout`.
    public init(layout: SlabLayout) {
        self.layout = layout
        energySum = Array(repeating: 0, count: layout.voxelCount)
        energySquaredSum = Array(repeating: 0, count: layout.voxelCount)
    }

    /// A tally with given contents (a checkpoint or a fetched result).
    /// - Precondition: both arrays have `layout.voxelCount` entries.
    public init(layout: SlabLayout, historyCount: UInt64, energySum: [UInt64], energySquaredSum: [UInt128]) {
        precondition(energySum.count == layout.voxelCount && energySquaredSum.count == layout.voxelCount)
        self.layout = layout
        self.historyCount = historyCount
        self.energySum = energySum
        self.energySquaredSum = energySquaredSum
    }

    /// Adds a unit result. Either all of it is added or, on overflow, none of it.
    /// - Throws: `ClusterError.tallyOverflow` when a sum would leave its integer range; the tally is unchanged.
    public mutating func add(_ result: UnitResult) throws(ClusterError) {
        let (histories, historyOverflow) = historyCount.addingReportingOverflow(result.historyCount)
        guard !historyOverflow else { throw .tallyOverflow("history count") }
        // Check first, then add, so that a failed merge leaves nothing half-added.
        for slab in result.slabs {
            let base = layout.voxels(ofSlab: Int(slab.slab)).lowerBound
            for (n, voxel) in slab.voxels.enumerated() {
                let index = base + Int(voxel)
                guard !energySum[index].addingReportingOverflow(slab.energySum[n]).overflow,
                    !energySquaredSum[index].addingReportingOverflow(slab.energySquaredSum[n]).overflow
                else { throw .tallyOverflow("voxel \(index) of \(result.key)") }
            }
        }
        historyCount = histories
        energySum.withUnsafeMutableBufferPointer { sum in
            energySquaredSum.withUnsafeMutableBufferPointer { squares in
                for slab in result.slabs {
                    let base = layout.voxels(ofSlab: Int(slab.slab)).lowerBound
                    for n in slab.voxels.indices {
                        let index = base + Int(slab.voxels[n])
                        sum[index] &+= slab.energySum[n]
                        squares[index] &+= slab.energySquaredSum[n]
                    }
                }
            }
        }
    }

    /// The dense tally of a sparse one (zero where it holds no voxel).
    public init(_ sparse: SparseTally) {
        self.init(layout: sparse.layout)
        historyCount = sparse.historyCount
        energySum.withUnsafeMutableBufferPointer { sum in
            energySquaredSum.withUnsafeMutableBufferPointer { squares in
                sparse.forEachVoxel { voxel, energy, square in
                    sum[voxel] = energy
                    squares[voxel] = square
                }
            }
        }
    }

    /// Adds a sparse tally over the same layout (a fetched job result), read from its frames in place.
    /// Either all of it is added or, on overflow, none of it.
    /// - Throws: `ClusterError.tallyOverflow` when a sum would leave its integer range; the tally is unchanged.
    public mutating func add(_ sparse: SparseTally) throws(ClusterError) {
        precondition(sparse.layout == layout)
        let (histories, historyOverflow) = historyCount.addingReportingOverflow(sparse.historyCount)
        guard !historyOverflow else { throw .tallyOverflow("history count") }
        // Check first, then add, so that a failed merge leaves nothing half-added.
        var overflowing: Int?
        sparse.forEachVoxel { voxel, energy, square in
            if overflowing == nil,
                energySum[voxel].addingReportingOverflow(energy).overflow
                    || energySquaredSum[voxel].addingReportingOverflow(square).overflow
            {
                overflowing = voxel
            }
        }
        if let overflowing { throw .tallyOverflow("voxel \(overflowing)") }
        historyCount = histories
        energySum.withUnsafeMutableBufferPointer { sum in
            energySquaredSum.withUnsafeMutableBufferPointer { squares in
                sparse.forEachVoxel { voxel, energy, square in
                    sum[voxel] &+= energy
                    squares[voxel] &+= square
                }
            }
        }
    }

    /// Adds another tally over the same layout (exact; all of it or, on overflow, none of it).
    /// - Throws: `ClusterError.tallyOverflow` when a sum would leave its integer range.
    public mutating func add(_ other: MergedTally) throws(ClusterError) {
        precondition(other.layout == layout)
        let (histories, historyOverflow) = historyCount.addingReportingOverflow(other.historyCount)
        guard !historyOverflow else { throw .tallyOverflow("history count") }
        for n in energySum.indices {
            guard !energySum[n].addingReportingOverflow(other.energySum[n]).overflow,
                !energySquaredSum[n].addingReportingOverflow(other.energySquaredSum[n]).overflow
            else { throw .tallyOverflow("voxel \(n)") }
        }
        historyCount = histories
        for n in energySum.indices {
            energySum[n] &+= other.energySum[n]
            energySquaredSum[n] &+= other.energySquaredSum[n]
        }
    }

    /// Mean energy per history in voxel `index`, in MeV.
    public func meanEnergyMeV(at index: Int) -> Double {
        historyCount == 0 ? 0 : EnergyQuantum.megaelectronvolts(energySum[index]) / Double(historyCount)
    }

    /// The standard error of the mean energy per history in voxel `index`, in MeV:
    /// √((Σx²/N − (Σx/N)²)/(N − 1)), the history-by-history estimator (Walters, Kawrakow & Rogers,
    /// Med. Phys. 29, 2745 (2002), eq. 3). Zero when fewer than two histories.
    public func standardErrorMeV(at index: Int) -> Double {
        guard historyCount > 1 else { return 0 }
        let n = Double(historyCount)
        let mean = EnergyQuantum.megaelectronvolts(energySum[index]) / n
        let meanSquare = EnergyQuantum.megaelectronvoltsSquared(energySquaredSum[index]) / n
        return ((meanSquare - mean * mean).clamped(toAtLeast: 0) / (n - 1)).squareRoot()
    }
}

extension Double {
    fileprivate func clamped(toAtLeast floor: Double) -> Double { Swift.max(self, floor) }
}
