/// Collects a unit's nonzero voxels, given in increasing global order, into per-slab sparse tallies
/// (`SlabTally`): what an executor whose tally can list its nonzero voxels (the transport engine's, block by
/// block) builds its `UnitResult` with, without a dense grid-sized copy of the sums.
public struct SlabTallyBuilder: Sendable {
    /// The grid and its slabs.
    public let layout: SlabLayout
    private var slabs: [SlabTally] = []
    private var slab = -1
    private var slabRange = 0..<0
    private var last = -1
    private var voxels: [UInt32] = []
    private var sums: [UInt64] = []
    private var squares: [UInt128] = []

    /// An empty builder for `layout`.
    public init(layout: SlabLayout) {
        self.layout = layout
    }

    /// Adds global voxel `voxel` with its sums.
    /// - Precondition: `voxel` is inside the layout and greater than the one added before.
    public mutating func append(voxel: Int, energySum: UInt64, energySquaredSum: UInt128) {
        precondition(voxel > last && voxel < layout.voxelCount, "voxel \(voxel) not increasing or outside the grid")
        last = voxel
        if !slabRange.contains(voxel) {
            closeSlab()
            slab = voxel / layout.planeVoxelCount / Int(layout.planesPerSlab)
            slabRange = layout.voxels(ofSlab: slab)
        }
        voxels.append(UInt32(voxel - slabRange.lowerBound))
        sums.append(energySum)
        squares.append(energySquaredSum)
    }

    /// The slab tallies added so far, in increasing slab order.
    public consuming func finish() -> [SlabTally] {
        closeSlab()
        return slabs
    }

    private mutating func closeSlab() {
        guard !voxels.isEmpty else { return }
        slabs.append(SlabTally(slab: UInt32(slab), voxels: voxels, energySum: sums, energySquaredSum: squares))
        voxels = []
        sums = []
        squares = []
    }
}
