/// A structure outlined by closed planar contours on planes of constant z, in cm (patient axes).
///
/// This is what an RT Structure Set's CLOSED_PLANAR contours become after the DICOM boundary has
/// converted mm to cm; the Phantom module knows nothing of DICOM.
public struct PlanarStructure: Sendable, Equatable {
    /// One contour plane: the polygons drawn on it (several for disjoint parts or holes).
    public struct Plane: Sendable, Equatable {
        /// The plane's z, cm.
        public var zCM: Double
        /// Polygons as (x, y) vertex lists in cm; each is implicitly closed.
        public var polygons: [[SIMD2<Double>]]

        /// Creates a plane.
        public init(zCM: Double, polygons: [[SIMD2<Double>]]) {
            self.zCM = zCM
            self.polygons = polygons
        }
    }

    /// The structure's name.
    public var name: String
    /// Planes sorted by z (the initialiser sorts them and merges planes at the same z).
    public private(set) var planes: [Plane]

    /// Creates a structure; planes closer than 1 µm in z are merged.
    public init(name: String, planes: [Plane]) {
        self.name = name
        var merged: [Plane] = []
        for plane in planes.sorted(by: { $0.zCM < $1.zCM }) {
            if let last = merged.last, abs(last.zCM - plane.zCM) < 1e-4 {
                merged[merged.count - 1].polygons += plane.polygons
            } else {
                merged.append(plane)
            }
        }
        self.planes = merged.filter { $0.polygons.contains { $0.count >= 3 } }
    }

    /// Whether the structure has no usable contour (fewer than three points on every plane).
    public var isEmpty: Bool { planes.isEmpty }
}
