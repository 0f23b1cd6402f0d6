import Geometry

extension VoxelGrid {
    /// The engine's grid (cm, origin at the outer corner of voxel (0, 0, 0)) of a DICOM grid given, as
    /// DICOM gives positions, by the centre of its first voxel and its spacing in mm.
    public init(counts: (x: Int, y: Int, z: Int), firstVoxelCentreMM: Vec3, spacingMM: Vec3) {
        self.init(counts: counts, originCM: (firstVoxelCentreMM - spacingMM * 0.5) / 10, spacingCM: spacingMM / 10)
    }
}
