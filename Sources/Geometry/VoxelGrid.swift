/// A rectilinear grid of equally spaced voxels, axis-aligned with the patient (DICOM) axes.
///
/// Positions and spacings are in cm, the engine's unit (DESIGN.md invariant 3). Voxel `(i, j, k)`
/// spans `[origin + (i, j, k) · spacing, origin + (i+1, j+1, k+1) · spacing)`; `origin` is the corner
/// of voxel (0, 0, 0), not its centre (DICOM's ImagePositionPatient is a centre: convert at the
/// boundary). Voxels are stored x fastest, then y, then z, as EGSnrc's `.3ddose` and DICOM frames.
public struct VoxelGrid: Hashable, Sendable, Codable {
    /// Number of voxels along x, y and z.
    public let counts: (x: Int, y: Int, z: Int)
    /// The corner of voxel (0, 0, 0), in cm.
    public let originCM: Vec3
    /// The voxel size along x, y and z, in cm.
    public let spacingCM: Vec3

    /// Creates a grid.
    /// - Precondition: every count and spacing is positive.
    public init(counts: (x: Int, y: Int, z: Int), originCM: Vec3, spacingCM: Vec3) {
        precondition(counts.x > 0 && counts.y > 0 && counts.z > 0, "voxel counts must be positive")
        precondition(spacingCM.x > 0 && spacingCM.y > 0 && spacingCM.z > 0, "voxel spacing must be positive")
        self.counts = counts
        self.originCM = originCM
        self.spacingCM = spacingCM
    }

    /// The total number of voxels.
    @inlinable
    public var voxelCount: Int { counts.x * counts.y * counts.z }

    /// The number of voxels in one plane of constant z (one slab plane).
    @inlinable
    public var planeVoxelCount: Int { counts.x * counts.y }

    /// The voxel volume in cm³.
    @inlinable
    public var voxelVolumeCM3: Double { spacingCM.x * spacingCM.y * spacingCM.z }

    /// The far corner of the grid (the upper bound of the last voxel), in cm.
    @inlinable
    public var endCM: Vec3 {
        Vec3(
            originCM.x + Double(counts.x) * spacingCM.x,
            originCM.y + Double(counts.y) * spacingCM.y,
            originCM.z + Double(counts.z) * spacingCM.z)
    }

    /// The linear index of voxel `(i, j, k)` (x fastest).
    @inlinable
    public func index(_ i: Int, _ j: Int, _ k: Int) -> Int { i + counts.x * (j + counts.y * k) }

    /// The `(i, j, k)` of a linear index.
    @inlinable
    public func ijk(ofIndex index: Int) -> (i: Int, j: Int, k: Int) {
        let plane = counts.x * counts.y
        let k = index / plane
        let rest = index - k * plane
        return (rest % counts.x, rest / counts.x, k)
    }

    /// The centre of voxel `(i, j, k)`, in cm.
    @inlinable
    public func centerCM(_ i: Int, _ j: Int, _ k: Int) -> Vec3 {
        Vec3(
            originCM.x + (Double(i) + 0.5) * spacingCM.x,
            originCM.y + (Double(j) + 0.5) * spacingCM.y,
            originCM.z + (Double(k) + 0.5) * spacingCM.z)
    }

    /// The voxel that contains a point, or nil when the point lies outside the grid.
    @inlinable
    public func voxel(containing pointCM: Vec3) -> (i: Int, j: Int, k: Int)? {
        let fx = (pointCM.x - originCM.x) / spacingCM.x
        let fy = (pointCM.y - originCM.y) / spacingCM.y
        let fz = (pointCM.z - originCM.z) / spacingCM.z
        guard fx >= 0, fy >= 0, fz >= 0 else { return nil }
        let i = Int(fx), j = Int(fy), k = Int(fz)
        guard i < counts.x, j < counts.y, k < counts.z else { return nil }
        return (i, j, k)
    }

    /// Voxel boundaries along x, in cm (`counts.x + 1` values).
    public var xBoundariesCM: [Double] { (0...counts.x).map { originCM.x + Double($0) * spacingCM.x } }
    /// Voxel boundaries along y, in cm (`counts.y + 1` values).
    public var yBoundariesCM: [Double] { (0...counts.y).map { originCM.y + Double($0) * spacingCM.y } }
    /// Voxel boundaries along z, in cm (`counts.z + 1` values).
    public var zBoundariesCM: [Double] { (0...counts.z).map { originCM.z + Double($0) * spacingCM.z } }

    /// Planes `planes` (along z) as a grid of their own: the same x, y and spacing, the z origin at the
    /// first plane's face (a slab of a decomposed run).
    public func planes(_ planes: Range<Int>) -> VoxelGrid {
        VoxelGrid(
            counts: (counts.x, counts.y, planes.count),
            originCM: Vec3(originCM.x, originCM.y, originCM.z + Double(planes.lowerBound) * spacingCM.z),
            spacingCM: spacingCM)
    }
}

// MARK: - Hashable and Codable by hand (tuples conform to neither)

extension VoxelGrid {
    public static func == (a: VoxelGrid, b: VoxelGrid) -> Bool {
        a.counts == b.counts && a.originCM == b.originCM && a.spacingCM == b.spacingCM
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(counts.x)
        hasher.combine(counts.y)
        hasher.combine(counts.z)
        hasher.combine(originCM)
        hasher.combine(spacingCM)
    }

    private enum CodingKeys: String, CodingKey { case countX, countY, countZ, originCM, spacingCM }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let counts = try (
            x: c.decode(Int.self, forKey: .countX), y: c.decode(Int.self, forKey: .countY),
            z: c.decode(Int.self, forKey: .countZ)
        )
        let spacing = try c.decode(Vec3.self, forKey: .spacingCM)
        guard counts.x > 0, counts.y > 0, counts.z > 0, spacing.x > 0, spacing.y > 0, spacing.z > 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .countX, in: c, debugDescription: "voxel counts and spacing must be positive")
        }
        self.init(counts: counts, originCM: try c.decode(Vec3.self, forKey: .originCM), spacingCM: spacing)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(counts.x, forKey: .countX)
        try c.encode(counts.y, forKey: .countY)
        try c.encode(counts.z, forKey: .countZ)
        try c.encode(originCM, forKey: .originCM)
        try c.encode(spacingCM, forKey: .spacingCM)
    }
}
