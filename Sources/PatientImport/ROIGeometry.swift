import DICOM
import Phantom

extension ROI {
    /// The ROI's closed planar contours as a `PlanarStructure` in cm: the DICOM mm → engine cm boundary
    /// for structures (other contour types — points, open contours — are left out).
    public var planarStructureCM: PlanarStructure {
        PlanarStructure(
            name: name,
            planes: closedPlanarContoursByZ.map { plane in
                PlanarStructure.Plane(
                    zCM: plane.zMM / 10, polygons: plane.polygons.map { $0.map { SIMD2($0.x / 10, $0.y / 10) } })
            })
    }
}
