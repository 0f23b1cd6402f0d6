import Geometry

/// The part of the phantom a simulation transports in: the whole phantom, or the z planes of one slab
/// of a decomposed run (docs/cluster.md, "Decomposed mode").
///
/// Geometry is always the whole phantom's grid, so positions, voxel walks and distances are computed
/// with exactly the same floating-point operations whichever part is active; only the voxel data (media,
/// densities, majorants, tally) is held for the active planes, at `dataOffset` voxels from the start.
struct SlabRegion: Sendable {
    /// The whole phantom's grid.
    let grid: VoxelGrid
    /// The active z planes.
    let planes: Range<Int>
    /// The linear index of the first active voxel in the whole grid.
    let dataOffset: Int

    /// All of `grid`.
    init(whole grid: VoxelGrid) {
        self.init(grid: grid, planes: 0..<grid.counts.z)
    }

    init(grid: VoxelGrid, planes: Range<Int>) {
        self.grid = grid
        self.planes = planes
        dataOffset = planes.lowerBound * grid.planeVoxelCount
    }

    /// The index into the active data of voxel `(i, j, k)` (k in `planes`).
    @inline(__always)
    func dataIndex(_ i: Int, _ j: Int, _ k: Int) -> Int { grid.index(i, j, k) - dataOffset }
}
