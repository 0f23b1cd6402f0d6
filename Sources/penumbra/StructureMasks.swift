import Analysis
import Geometry
import Phantom

/// Structure masks for DVHs from contours: the bridge between Phantom's rasteriser and Analysis.
enum StructureMasks {
    /// The structure's occupancy on a grid aligned with the dose grid that covers the whole structure,
    /// so that parts beyond the dose grid are counted rather than cut off.
    static func rasterise(_ planar: PlanarStructure, alignedWith doseGrid: VoxelGrid, supersampling: Int = 4) throws
        -> StructureMask
    {
        let points = planar.planes.flatMap { $0.polygons.flatMap { $0 } }
        let zs = planar.planes.map(\.zCM)
        let gaps = zip(zs.dropFirst(), zs).map { $0 - $1 }.sorted()
        let medianGap = gaps.isEmpty ? 0 : gaps[gaps.count / 2]
        // The rasteriser caps the ends by half the plane spacing: one voxel more than that covers it.
        let grid = doseGrid.alignedGrid(
            coveringFrom: Vec3(points.map(\.x).min()!, points.map(\.y).min()!, zs.min()!),
            to: Vec3(points.map(\.x).max()!, points.map(\.y).max()!, zs.max()!),
            marginVoxels: 1 + Int((medianGap / 2 / doseGrid.spacingCM.z).rounded(.up)))
        let fractions = StructureRasterizer.occupancy(of: planar, on: grid, supersampling: supersampling)
        return try StructureMask(name: planar.name, grid: grid, fractions: fractions.map { min(1, max(0, $0)) })
    }
}
