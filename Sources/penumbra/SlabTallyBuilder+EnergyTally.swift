import Cluster
import Transport

extension SlabTallyBuilder {
    /// Adds the nonzero voxels of `tally` (flushed), voxel v as global voxel `offset + v`: a tally of one
    /// beam's grid goes to its block of a stacked grid (`SlabLayout(grid:stackedGroups:)`) at `offset`.
    /// Only the tally's blocks that hold sums are read.
    mutating func append(_ tally: EnergyTally, offset: Int = 0) {
        tally.forEachNonzeroVoxel { v, sum, squares in
            append(voxel: offset + v, energySum: sum, energySquaredSum: squares)
        }
    }
}
