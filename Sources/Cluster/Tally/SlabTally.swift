/// The sparse tallies of one slab from one work unit: for each touched voxel, Σ energy and Σ of
/// per-history energy squared, in quanta (`EnergyQuantum`).
public struct SlabTally: Hashable, Sendable {
    /// The slab (`SlabLayout.voxels(ofSlab:)`).
    public let slab: UInt32
    /// Voxel indices within the slab (global index minus the slab's first voxel), strictly increasing.
    public let voxels: [UInt32]
    /// Σ over histories of the energy each deposited in the voxel, in quanta.
    public let energySum: [UInt64]
    /// Σ over histories of (energy the history deposited in the voxel)², in quanta².
    public let energySquaredSum: [UInt128]

    /// Creates a slab tally; the arrays are parallel.
    /// - Precondition: the three arrays have the same length.
    public init(slab: UInt32, voxels: [UInt32], energySum: [UInt64], energySquaredSum: [UInt128]) {
        precondition(voxels.count == energySum.count && voxels.count == energySquaredSum.count)
        self.slab = slab
        self.voxels = voxels
        self.energySum = energySum
        self.energySquaredSum = energySquaredSum
    }

    /// Checks the tally fits its layout: slab in range, voxels strictly increasing and inside the slab.
    func validate(in layout: SlabLayout) -> String? {
        guard Int(slab) < layout.slabCount else { return "slab \(slab) beyond the \(layout.slabCount) slabs" }
        let size = layout.voxels(ofSlab: Int(slab)).count
        var previous: Int64 = -1
        for voxel in voxels {
            guard Int64(voxel) > previous else { return "slab \(slab): voxel indices not strictly increasing" }
            guard Int(voxel) < size else { return "slab \(slab): voxel \(voxel) outside a slab of \(size) voxels" }
            previous = Int64(voxel)
        }
        return nil
    }
}
