/// A job's merged tallies on their way back to a client (JOB_RESULT): the nonzero voxels only, slab by
/// slab, kept in their wire layout (the sparse slab frame of docs/protocol.md).
///
/// Why bytes and not arrays: this value exists to travel. The coordinator builds it once from its dense
/// `MergedTally`, the codec sends its frames as they are and hands the received frames back as they are
/// (after checking them), and the client adds them straight into the tally it keeps
/// (`MergedTally.add(_:)`): no grid-sized array is made on the way. The dense way back held the
/// coordinator's tally, the message, the decoded arrays and the client's tally at once (docs/performance.md,
/// session 10).
public struct SparseTally: Hashable, Sendable {
    /// The grid and its slabs.
    public let layout: SlabLayout
    /// Histories summed.
    public let historyCount: UInt64
    /// One frame per slab that holds a nonzero voxel, in increasing slab order: `slab: UInt32`,
    /// `n: UInt32` (> 0), then `n` voxel indices within the slab (`UInt32`, strictly increasing), `n` Σ
    /// (`UInt64`, quanta), `n` Σ² (`UInt128`, low half first), all little-endian.
    let frames: [[UInt8]]

    /// Bytes of a frame before its arrays, and per voxel.
    static let frameHeaderBytes = 8
    static let bytesPerVoxel = 28

    /// The nonzero voxels of `tally` (Σ or Σ² not zero), written straight into their frames.
    public init(_ tally: MergedTally) {
        layout = tally.layout
        historyCount = tally.historyCount
        var frames: [[UInt8]] = []
        tally.energySum.withUnsafeBufferPointer { sums in
            tally.energySquaredSum.withUnsafeBufferPointer { squares in
                for slab in 0..<tally.layout.slabCount {
                    let voxels = tally.layout.voxels(ofSlab: slab)
                    var count = 0
                    for v in voxels where sums[v] != 0 || squares[v] != 0 { count += 1 }
                    guard count > 0 else { continue }
                    frames.append(Self.frame(slab: slab, voxels: voxels, count: count, sums, squares))
                }
            }
        }
        self.frames = frames
    }

    /// One slab's frame of `count` nonzero voxels, each field stored at its offset.
    private static func frame(
        slab: Int, voxels: Range<Int>, count: Int, _ sums: UnsafeBufferPointer<UInt64>,
        _ squares: UnsafeBufferPointer<UInt128>
    ) -> [UInt8] {
        let size = frameHeaderBytes + count * bytesPerVoxel
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            let bytes = UnsafeMutableRawBufferPointer(buffer)
            bytes.storeBytes(of: UInt32(slab).littleEndian, toByteOffset: 0, as: UInt32.self)
            bytes.storeBytes(of: UInt32(count).littleEndian, toByteOffset: 4, as: UInt32.self)
            let sumBase = frameHeaderBytes + 4 * count, squareBase = sumBase + 8 * count
            var n = 0
            for v in voxels where sums[v] != 0 || squares[v] != 0 {
                bytes.storeBytes(
                    of: UInt32(v - voxels.lowerBound).littleEndian, toByteOffset: frameHeaderBytes + 4 * n, as: UInt32.self)
                bytes.storeBytes(of: sums[v].littleEndian, toByteOffset: sumBase + 8 * n, as: UInt64.self)
                // UInt128's memory is its low half first on a little-endian host (BulkArrays.swift checks the host).
                bytes.storeBytes(of: squares[v], toByteOffset: squareBase + 16 * n, as: UInt128.self)
                n += 1
            }
            initialized = size
        }
    }

    /// Frames received from a peer, checked: every frame's length fits its count, slabs are increasing
    /// and inside the layout, and each slab's voxels are strictly increasing and inside the slab.
    /// - Throws: `WireError.malformed` or `.truncated` saying which frame does not fit.
    init(layout: SlabLayout, historyCount: UInt64, frames: [[UInt8]]) throws(WireError) {
        var previous = -1
        for (n, frame) in frames.enumerated() {
            let what = "JOB_RESULT slab frame \(n)"
            guard frame.count >= Self.frameHeaderBytes else {
                throw .truncated(what: what, needed: Self.frameHeaderBytes, available: frame.count)
            }
            let problem: String? = frame.withUnsafeBytes { bytes in
                let slab = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
                let count = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
                guard slab > previous, slab < layout.slabCount else {
                    return "slab \(slab) is not after slab \(previous) and inside the \(layout.slabCount) slabs"
                }
                previous = slab
                guard count > 0, count <= (frame.count - Self.frameHeaderBytes) / Self.bytesPerVoxel,
                    frame.count == Self.frameHeaderBytes + count * Self.bytesPerVoxel
                else { return "\(frame.count) bytes do not hold the \(count) voxels it names (28 bytes each)" }
                let size = layout.voxels(ofSlab: slab).count
                var last = -1
                for k in 0..<count {
                    let voxel = Int(
                        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: Self.frameHeaderBytes + 4 * k, as: UInt32.self)))
                    guard voxel > last, voxel < size else {
                        return "slab \(slab): voxel \(voxel) not increasing or outside a slab of \(size) voxels"
                    }
                    last = voxel
                }
                return nil
            }
            if let problem { throw .malformed(what: what, reason: problem) }
        }
        self.layout = layout
        self.historyCount = historyCount
        self.frames = frames
    }

    /// Voxels with a nonzero sum.
    public var nonzeroVoxelCount: Int { frames.reduce(0) { $0 + ($1.count - Self.frameHeaderBytes) / Self.bytesPerVoxel } }

    /// Bytes of the frames (what the result's payload weighs on the wire).
    public var byteCount: Int { frames.reduce(0) { $0 + $1.count } }

    /// Calls `body` with every nonzero voxel's global index and sums, in increasing voxel order.
    public func forEachVoxel(_ body: (_ voxel: Int, _ energySum: UInt64, _ energySquaredSum: UInt128) -> Void) {
        for frame in frames {
            frame.withUnsafeBytes { bytes in
                let slab = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
                let count = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
                let first = layout.voxels(ofSlab: slab).lowerBound
                let sumBase = Self.frameHeaderBytes + 4 * count, squareBase = sumBase + 8 * count
                for k in 0..<count {
                    let voxel = UInt32(
                        littleEndian: bytes.loadUnaligned(fromByteOffset: Self.frameHeaderBytes + 4 * k, as: UInt32.self))
                    body(
                        first + Int(voxel), UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: sumBase + 8 * k, as: UInt64.self)),
                        bytes.loadUnaligned(fromByteOffset: squareBase + 16 * k, as: UInt128.self))
                }
            }
        }
    }
}
