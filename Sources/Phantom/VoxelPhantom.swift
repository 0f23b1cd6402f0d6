import Geometry

/// A voxel phantom: a medium and a mass density for every voxel of a grid.
///
/// This is what transport sees of a patient or a water tank. Media are named (e.g. `H2O700ICRU`,
/// `ICRPBONE700ICRU`, or a Penumbra material name); voxels refer to them by index into `media`, as in
/// EGSnrc's `.egsphant`. Density is per voxel and continuous (PHYSICS.md §3.1): cross sections are per
/// medium and scaled by `ρ / ρ_ref`.
public struct VoxelPhantom: Sendable, Equatable {
    /// The voxel grid, in cm.
    public let grid: VoxelGrid
    /// Medium names; a voxel's medium index points into this list.
    public let media: [String]
    /// Medium index per voxel (x fastest), each `< media.count`.
    public let mediumIndices: [UInt8]
    /// Mass density per voxel in g/cm³ (x fastest), each ≥ 0.
    public let densitiesGPerCM3: [Float]

    /// Creates a phantom after checking that the arrays fit the grid and the media.
    /// - Throws: `VoxelPhantomError` naming the first inconsistency.
    public init(grid: VoxelGrid, media: [String], mediumIndices: [UInt8], densitiesGPerCM3: [Float]) throws {
        guard !media.isEmpty, media.count <= Int(UInt8.max) + 1 else {
            throw VoxelPhantomError.badMediaCount(media.count)
        }
        guard mediumIndices.count == grid.voxelCount else {
            throw VoxelPhantomError.arrayLength(name: "medium indices", found: mediumIndices.count, expected: grid.voxelCount)
        }
        guard densitiesGPerCM3.count == grid.voxelCount else {
            throw VoxelPhantomError.arrayLength(name: "densities", found: densitiesGPerCM3.count, expected: grid.voxelCount)
        }
        if let bad = mediumIndices.firstIndex(where: { Int($0) >= media.count }) {
            throw VoxelPhantomError.mediumIndexOutOfRange(voxel: bad, index: Int(mediumIndices[bad]), mediaCount: media.count)
        }
        if let bad = densitiesGPerCM3.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
            throw VoxelPhantomError.badDensity(voxel: bad, value: densitiesGPerCM3[bad])
        }
        self.grid = grid
        self.media = media
        self.mediumIndices = mediumIndices
        self.densitiesGPerCM3 = densitiesGPerCM3
    }
}

/// Why a set of arrays does not make a valid `VoxelPhantom`.
public enum VoxelPhantomError: Error, Equatable, CustomStringConvertible {
    /// There are no media, or more than an 8-bit index can address.
    case badMediaCount(Int)
    /// A per-voxel array has the wrong length.
    case arrayLength(name: String, found: Int, expected: Int)
    /// A voxel refers to a medium that does not exist.
    case mediumIndexOutOfRange(voxel: Int, index: Int, mediaCount: Int)
    /// A voxel has a negative or non-finite density.
    case badDensity(voxel: Int, value: Float)

    public var description: String {
        switch self {
        case .badMediaCount(let n):
            "a phantom needs 1 to 256 media, found \(n)"
        case .arrayLength(let name, let found, let expected):
            "phantom \(name): \(found) values for a grid of \(expected) voxels; the arrays must match the grid"
        case .mediumIndexOutOfRange(let voxel, let index, let count):
            "voxel \(voxel) refers to medium \(index + 1) but the phantom lists only \(count) media"
        case .badDensity(let voxel, let value):
            "voxel \(voxel) has density \(value) g/cm³; densities must be finite and ≥ 0"
        }
    }
}

extension VoxelPhantom {
    /// Planes `planes` (along z; they must lie inside the grid) as a phantom of their own, on
    /// `grid.planes(planes)`.
    /// - Throws: `VoxelPhantomError` as `init` does (e.g. for empty planes).
    public func planes(_ planes: Range<Int>) throws -> VoxelPhantom {
        let n = grid.planeVoxelCount
        let voxels = planes.lowerBound * n..<planes.upperBound * n
        return try VoxelPhantom(
            grid: grid.planes(planes), media: media, mediumIndices: Array(mediumIndices[voxels]),
            densitiesGPerCM3: Array(densitiesGPerCM3[voxels]))
    }
}
