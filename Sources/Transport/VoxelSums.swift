#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

/// The `VoxelSums` of a tally's voxels, in one block aligned to a cache line, and a mark per block of
/// `blockVoxels` voxels that says whether any voxel of the block may be nonzero (`holdsSums`) or was
/// written once and emptied since (`emptied`).
///
/// An array of 32-byte records starts 16 bytes past a line on this platform (the array header after
/// malloc's 16-byte alignment), so every record would straddle two lines; hence this block. It is shared
/// between copies of an `EnergyTally` and written only through a tally that holds the only reference
/// (`EnergyTally.writableSums`, copy on write, as an array's storage), never while shared: hence
/// `@unchecked Sendable`.
///
/// Records of `mappedBytes` or more come straight from the kernel (`mmap`), not from malloc's arenas, and
/// are returned to it when the tally goes; on Linux they are populated at once (`MAP_POPULATE`): left to
/// fault in on first touch, inside the history fold, they cost 6–8 % of the transport CPU (medians) on
/// grids of 0.2–3.4 M voxels (docs/performance.md, session 9). The marks let a reused tally be emptied
/// (`EnergyTally.reset`), merged and read block by block, touching only the blocks that hold sums; a block
/// is 128 records, one 4 KiB page.
final class VoxelSumsStorage: @unchecked Sendable {
    /// The number of voxels.
    let count: Int
    /// The first voxel's record; `count` records follow.
    let base: UnsafeMutablePointer<VoxelSums>
    /// Per block of `blockVoxels` voxels: `holdsSums` when a voxel of it may hold a nonzero sum, `emptied`
    /// when it did and was emptied (`clear`), 0 when it was never written.
    let marks: UnsafeMutablePointer<UInt8>
    /// Whether `base` was mapped (`mmap`) rather than allocated.
    let mapped: Bool

    /// The cache line of x86-64 (and of the Apple and Neoverse cores: 64 or 128, a multiple of it).
    static let lineBytes = 64
    /// log₂ of the voxels per marked block.
    static let blockShift = 7
    /// Voxels per marked block: 128 records, 4 KiB, the page of x86-64 Linux.
    static let blockVoxels = 1 << blockShift
    /// Record blocks this large or larger are mapped from the kernel, not taken from malloc's arenas (whose
    /// dynamic threshold kept freed multi-MiB tallies resident, docs/performance.md, "What is next" 6).
    static let mappedBytes = 1 << 20

    /// A block's mark: a voxel of it may hold sums.
    static let holdsSums: UInt8 = 1
    /// A block's mark: it held sums and was emptied.
    static let emptied: UInt8 = 2

    /// The number of blocks.
    var blockCount: Int { (count + Self.blockVoxels - 1) >> Self.blockShift }

    /// Bytes of records (the tally's size if every block were touched).
    var recordBytes: Int { max(count, 1) * MemoryLayout<VoxelSums>.stride }

    /// `count` zero records, no block marked.
    init(count: Int) {
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<VoxelSums>.stride
        if bytes >= Self.mappedBytes, let region = Self.map(bytes: bytes) {
            base = region.bindMemory(to: VoxelSums.self, capacity: max(count, 1))
            mapped = true
        } else {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Self.lineBytes)
            base = raw.bindMemory(to: VoxelSums.self, capacity: max(count, 1))
            base.initialize(repeating: .zero, count: count)
            mapped = false
        }
        let blocks = max((count + Self.blockVoxels - 1) >> Self.blockShift, 1)
        marks = .allocate(capacity: blocks)
        marks.initialize(repeating: 0, count: blocks)
    }

    /// A copy of `other`'s records and marks.
    convenience init(copying other: VoxelSumsStorage) {
        self.init(count: other.count)
        for block in 0..<other.blockCount where other.marks[block] == Self.holdsSums {
            let voxels = other.voxels(ofBlock: block)
            (base + voxels.lowerBound).update(from: other.base + voxels.lowerBound, count: voxels.count)
            marks[block] = Self.holdsSums
        }
    }

    deinit {
        if mapped {
            munmap(UnsafeMutableRawPointer(base), recordBytes)
        } else {
            base.deinitialize(count: count)
            UnsafeMutableRawPointer(base).deallocate()
        }
        marks.deallocate()
    }

    /// Zero-filled pages from the kernel, or nil when it has none (malloc is tried next).
    private static func map(bytes: Int) -> UnsafeMutableRawPointer? {
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE
        #else
        let flags = MAP_PRIVATE | MAP_ANONYMOUS
        #endif
        let region = mmap(nil, bytes, PROT_READ | PROT_WRITE, flags, -1, 0)
        guard let region, region != MAP_FAILED else { return nil }
        return region
    }

    /// The voxels of block `block`.
    @inline(__always)
    func voxels(ofBlock block: Int) -> Range<Int> {
        (block << Self.blockShift)..<min((block + 1) << Self.blockShift, count)
    }

    /// Marks the block of voxel `v` as holding sums.
    @inline(__always)
    func mark(voxel v: Int) { marks[v >> Self.blockShift] = Self.holdsSums }

    /// Bytes of the blocks of records ever written (emptied ones included), 4 KiB each.
    var touchedBytes: Int {
        var n = 0
        for block in 0..<blockCount where marks[block] != 0 { n += 1 }
        return n * Self.blockVoxels * MemoryLayout<VoxelSums>.stride
    }

    /// Zeroes the records of the blocks that hold sums and marks them emptied: the records are then all
    /// zeros again.
    func clear() {
        for block in 0..<blockCount where marks[block] == Self.holdsSums {
            let voxels = voxels(ofBlock: block)
            (base + voxels.lowerBound).update(repeating: .zero, count: voxels.count)
            marks[block] = Self.emptied
        }
    }
}
