import Geometry

/// A reconstructed CT volume in the DICOM patient coordinate system (mm), axis-aligned.
///
/// Voxel `(i, j, k)` (x fastest) has its centre at `originMM + (i, j, k) · spacingMM`: indices grow
/// along +x (patient left), +y (posterior) and +z (superior) whatever the scan orientation, because
/// the reader flips or transposes slices into this order. Values are Hounsfield units after the
/// rescale slope and intercept.
public struct Volume: Sendable {
    /// Number of voxels along x (columns), y (rows) and z (slices).
    public let counts: (x: Int, y: Int, z: Int)
    /// The centre of voxel (0, 0, 0) in patient coordinates, mm (DICOM's convention: positions are centres).
    public let originMM: Vec3
    /// The voxel spacing along x, y and z, mm.
    public let spacingMM: Vec3
    /// Hounsfield units per voxel, x fastest.
    public var huValues: [Float]
    /// How the patient lay on the couch.
    public let patientPosition: PatientPosition
    /// The series the volume came from.
    public let seriesInstanceUID: String
    /// The frame of reference shared with structures, plans and doses.
    public let frameOfReferenceUID: String
    /// The study.
    public let studyInstanceUID: String

    /// Creates a volume; `huValues.count` must be `counts.x · counts.y · counts.z`.
    public init(
        counts: (x: Int, y: Int, z: Int), originMM: Vec3, spacingMM: Vec3, huValues: [Float],
        patientPosition: PatientPosition, seriesInstanceUID: String, frameOfReferenceUID: String,
        studyInstanceUID: String
    ) {
        precondition(huValues.count == counts.x * counts.y * counts.z, "HU array does not fit the counts")
        self.counts = counts
        self.originMM = originMM
        self.spacingMM = spacingMM
        self.huValues = huValues
        self.patientPosition = patientPosition
        self.seriesInstanceUID = seriesInstanceUID
        self.frameOfReferenceUID = frameOfReferenceUID
        self.studyInstanceUID = studyInstanceUID
    }

    /// The same grid in the engine's units: cm, with the origin at the outer corner of voxel (0, 0, 0)
    /// (half a voxel below the first centre), as `VoxelGrid` defines it.
    public var voxelGrid: VoxelGrid {
        VoxelGrid(counts: counts, firstVoxelCentreMM: originMM, spacingMM: spacingMM)
    }

    /// The HU of voxel `(i, j, k)`.
    public subscript(i: Int, j: Int, k: Int) -> Float { huValues[i + counts.x * (j + counts.y * k)] }
}

extension Vec3 {
    static func * (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x * b.x, a.y * b.y, a.z * b.z) }
}
