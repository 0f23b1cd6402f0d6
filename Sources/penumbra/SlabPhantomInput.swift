import Cluster
import Geometry
import Phantom

/// One slab of a phantom as a decomposed job's per-slab input: the whole grid (so the worker computes
/// geometry on it, bit for bit as the whole-phantom run does), the media names, the slab's first plane,
/// and its planes' medium indices and densities. A worker of a decomposed job fetches only its slabs'.
///
/// Layout (little-endian): magic `PNSLAB01`; whole grid counts x, y, z (UInt32 each); origin and
/// spacing (6 × Float64 bit patterns, cm); first plane, plane count (UInt32); media count (UInt16),
/// each name a UInt16 byte count then UTF-8; a medium index (UInt8) per slab voxel; a density
/// (Float32 bit pattern, g/cm³) per slab voxel.
struct SlabPhantomInput: Equatable {
    /// The whole phantom's grid.
    let grid: VoxelGrid
    /// The slab's planes of `grid`, with their data.
    let firstPlane: Int
    /// The slab's planes as a phantom of their own (its z origin is the slab's first plane).
    let slab: VoxelPhantom

    static let magic = Array("PNSLAB01".utf8)

    /// Cuts planes `planes` out of `phantom`.
    init(cutting planes: Range<Int>, of phantom: VoxelPhantom) throws {
        slab = try phantom.planes(planes)
        grid = phantom.grid
        firstPlane = planes.lowerBound
    }

    /// The encoded slab inputs of `phantom` cut at `boundaries` (the first plane of every slab but the
    /// first), bottom to top.
    static func inputs(of phantom: VoxelPhantom, boundaries: [Int]) throws -> [[UInt8]] {
        try zip([0] + boundaries, boundaries + [phantom.grid.counts.z]).map {
            try SlabPhantomInput(cutting: $0..<$1, of: phantom).encoded()
        }
    }

    /// The bytes.
    func encoded() -> [UInt8] {
        var bytes = Self.magic
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
        for count in [grid.counts.x, grid.counts.y, grid.counts.z] { put(UInt32(count)) }
        for value in [grid.originCM.x, grid.originCM.y, grid.originCM.z, grid.spacingCM.x, grid.spacingCM.y, grid.spacingCM.z] {
            put(value.bitPattern)
        }
        put(UInt32(firstPlane))
        put(UInt32(slab.grid.counts.z))
        put(UInt16(slab.media.count))
        for name in slab.media {
            put(UInt16(name.utf8.count))
            bytes += Array(name.utf8)
        }
        bytes += slab.mediumIndices
        for density in slab.densitiesGPerCM3 { put(density.bitPattern) }
        return bytes
    }

    /// Reads the bytes of a slab input.
    /// - Throws: `ClusterError.invalidJob` saying what does not fit.
    init(decoding bytes: [UInt8]) throws {
        var offset = 0
        func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, bytes.count - offset >= count else {
                throw ClusterError.invalidJob("slab phantom input truncated at byte \(offset) (\(bytes.count) bytes)")
            }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }
        func get<T: FixedWidthInteger>(_: T.Type) throws -> T {
            try take(MemoryLayout<T>.size).reversed().reduce(T(0)) { $0 << 8 | T($1) }
        }
        guard Array(try take(8)) == Self.magic else { throw ClusterError.invalidJob("not a slab phantom input (no PNSLAB01 tag)") }
        let counts = try (0..<3).map { _ in Int(try get(UInt32.self)) }
        let doubles = try (0..<6).map { _ in Double(bitPattern: try get(UInt64.self)) }
        guard counts.allSatisfy({ $0 > 0 }), doubles.allSatisfy(\.isFinite), doubles[3...].allSatisfy({ $0 > 0 }) else {
            throw ClusterError.invalidJob("slab phantom input: grid counts \(counts) or spacing \(doubles[3...]) not positive")
        }
        let whole = VoxelGrid(
            counts: (counts[0], counts[1], counts[2]), originCM: Vec3(doubles[0], doubles[1], doubles[2]),
            spacingCM: Vec3(doubles[3], doubles[4], doubles[5]))
        let first = Int(try get(UInt32.self)), planes = Int(try get(UInt32.self))
        guard planes > 0, first + planes <= whole.counts.z else {
            throw ClusterError.invalidJob("slab phantom input: planes \(first)..<\(first + planes) outside the grid's \(whole.counts.z)")
        }
        let mediaCount = Int(try get(UInt16.self))
        var media: [String] = []
        for _ in 0..<mediaCount { media.append(String(decoding: try take(Int(try get(UInt16.self))), as: UTF8.self)) }
        let (plane, overflow) = counts[0].multipliedReportingOverflow(by: counts[1])
        let voxels = plane * planes
        guard !overflow, plane <= bytes.count, voxels <= (bytes.count - offset) / 5 else {
            throw ClusterError.invalidJob("slab phantom input: \(bytes.count - offset) bytes cannot hold \(counts[0])×\(counts[1])×\(planes) voxels")
        }
        let indices = Array(try take(voxels))
        let densities = try (0..<voxels).map { _ in Float(bitPattern: try get(UInt32.self)) }
        guard offset == bytes.count else { throw ClusterError.invalidJob("slab phantom input: \(bytes.count - offset) bytes left over") }
        slab = try VoxelPhantom(
            grid: whole.planes(first..<first + planes), media: media, mediumIndices: indices, densitiesGPerCM3: densities)
        grid = whole
        firstPlane = first
    }
}
