import Geometry
import Phantom

/// A box of water as a voxel phantom, for commissioning, MU calibration and plan QA in water.
public enum WaterTank {
    /// A water box of `sizeCM` with voxels of `voxelCM`, its centre at `centreCM` (patient coordinates).
    /// - Throws: `BeamError.badPlan` for non-positive sizes or more than 64 M voxels.
    public static func phantom(sizeCM: Vec3, voxelCM: Vec3, centreCM: Vec3) throws -> VoxelPhantom {
        let n = (x: Int((sizeCM.x / voxelCM.x).rounded()), y: Int((sizeCM.y / voxelCM.y).rounded()),
                 z: Int((sizeCM.z / voxelCM.z).rounded()))
        guard n.x > 0, n.y > 0, n.z > 0, n.x * n.y * n.z <= 64 << 20 else {
            throw BeamError.badPlan("water tank \(sizeCM) cm with voxels \(voxelCM) cm: need 1…64 M voxels")
        }
        let extent = Vec3(Double(n.x) * voxelCM.x, Double(n.y) * voxelCM.y, Double(n.z) * voxelCM.z)
        let grid = VoxelGrid(counts: n, originCM: centreCM - extent * 0.5, spacingCM: voxelCM)
        return try VoxelPhantom(grid: grid, media: ["WATER"], mediumIndices: Array(repeating: 0, count: grid.voxelCount),
                                densitiesGPerCM3: Array(repeating: 1, count: grid.voxelCount))
    }
}
