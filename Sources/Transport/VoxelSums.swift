/// One voxel's sums in an `EnergyTally`: S2 = Σ_h x_h², S1 = Σ_h x_h and the energy of the history being
/// folded, side by side in 32 bytes.
///
/// A history's fold reads and writes all three for every voxel it reached; as three arrays they were three
/// cache lines per voxel, as one record (32 bytes, two per 64-byte line, never straddling one) they are one
/// (docs/performance.md, session 8).
struct VoxelSums: Sendable {
    /// Σ_h x_h², in quanta².
    var sumOfSquares: UInt128
    /// Σ_h x_h, in quanta.
    var sum: UInt64
    /// The energy of the history being folded, in quanta (zero outside `EnergyTally.foldHistory`).
    var pending: UInt64

    static let zero = VoxelSums(sumOfSquares: 0, sum: 0, pending: 0)
}

/// The `VoxelSums` of a tally's voxels, in one block aligned to a cache line.
///
/// An array of 32-byte records starts 16 bytes past a line on this platform (the array header after
/// malloc's 16-byte alignment), so every record would straddle two lines; hence this block. It is shared
/// between copies of an `EnergyTally` and written only through a tally that holds the only reference
/// (`EnergyTally.writableSums`, copy on write, as an array's storage), never while shared: hence
/// `@unchecked Sendable`.
final class VoxelSumsStorage: @unchecked Sendable {
    /// The number of voxels.
    let count: Int
    /// The first voxel's record; `count` records follow.
    let base: UnsafeMutablePointer<VoxelSums>

    /// The cache line of x86-64 (and of the Apple and Neoverse cores: 64 or 128, a multiple of it).
    static let lineBytes = 64

    /// `count` zero records.
    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<VoxelSums>.stride,
                                                   alignment: Self.lineBytes)
        base = raw.bindMemory(to: VoxelSums.self, capacity: max(count, 1))
        base.initialize(repeating: .zero, count: count)
    }

    /// A copy of `other`'s records.
    convenience init(copying other: VoxelSumsStorage) {
        self.init(count: other.count)
        base.update(from: other.base, count: count)
    }

    deinit {
        base.deinitialize(count: count)
        UnsafeMutableRawPointer(base).deallocate()
    }
}
