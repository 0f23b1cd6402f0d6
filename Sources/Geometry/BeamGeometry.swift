/// Where a treatment beam is, in the patient's DICOM coordinates, following IEC 61217.
///
/// IEC 61217 chains coordinate systems: fixed "f" (origin at the isocentre, +Yf towards the gantry,
/// +Zf up), gantry "g" (rotated by the gantry angle about Yf), beam-limiting device "b" (rotated by the
/// collimator angle about Zg) and patient support "s" (rotated by the couch angle about Zf). Every
/// rotation is right-handed about the positive axis (DICOM PS3.3 C.36.1.1.5: "the direction of a
/// positive rotation is seen as clockwise when viewed in the positive direction of the axis of
/// rotation"). The source sits at +Zb = SAD; the beam travels towards −Zb. The jaws X1/X2 and MLCX
/// leaves move along Xb, Y1/Y2 along Yb (DICOM RT Beam Limiting Device Type (300A,00B8)).
///
/// Positions are in cm (convert DICOM's mm at the DICOM boundary), angles in degrees.
public struct BeamGeometry: Hashable, Sendable {
    /// Gantry angle (300A,011E), degrees.
    public let gantryDeg: Double
    /// Beam-limiting device (collimator) angle (300A,0120), degrees.
    public let collimatorDeg: Double
    /// Patient support (couch) angle (300A,0122), degrees.
    public let couchDeg: Double
    /// The isocentre in patient (DICOM) coordinates, cm.
    public let isocentreCM: Vec3
    /// Source-axis distance, cm.
    public let sourceAxisDistanceCM: Double
    /// How the patient lies.
    public let patientPosition: PatientPosition

    /// Rotation from the beam-limiting device system "b" to patient coordinates.
    public let beamToPatient: Matrix3

    /// Creates the geometry of one beam (or one control point of an arc).
    public init(
        gantryDeg: Double, collimatorDeg: Double, couchDeg: Double, isocentreCM: Vec3,
        sourceAxisDistanceCM: Double = 100, patientPosition: PatientPosition = .headFirstSupine
    ) {
        self.gantryDeg = gantryDeg
        self.collimatorDeg = collimatorDeg
        self.couchDeg = couchDeg
        self.isocentreCM = isocentreCM
        self.sourceAxisDistanceCM = sourceAxisDistanceCM
        self.patientPosition = patientPosition
        // b → g → f: v_f = Ry(gantry) · Rz(collimator) · v_b.
        let beamToFixed = Matrix3.rotationY(degrees: gantryDeg) * Matrix3.rotationZ(degrees: collimatorDeg)
        // f → s: v_f = Rz(couch) · v_s, so v_s = Rz(couch)ᵀ · v_f; s → patient: the transpose of patientToSupport.
        let fixedToPatient =
            patientPosition.patientToSupport.transposed * Matrix3.rotationZ(degrees: couchDeg).transposed
        self.beamToPatient = fixedToPatient * beamToFixed
    }

    /// The point source, in patient coordinates (cm).
    public var sourcePositionCM: Vec3 { patientPoint(beamCM: Vec3(0, 0, sourceAxisDistanceCM)) }

    /// The unit direction of the central axis, from the source through the isocentre, in patient coordinates.
    public var centralAxisDirection: Vec3 { beamToPatient * Vec3(0, 0, -1) }

    /// The beam's-eye-view axes Xb and Yb as unit vectors in patient coordinates.
    public var beamAxesInPatient: (x: Vec3, y: Vec3) { (beamToPatient * Vec3(1, 0, 0), beamToPatient * Vec3(0, 1, 0)) }

    /// A point given in the beam-limiting device system (cm, origin at the isocentre) in patient coordinates.
    public func patientPoint(beamCM b: Vec3) -> Vec3 { isocentreCM + beamToPatient * b }

    /// A patient point in the beam-limiting device system (cm, origin at the isocentre).
    public func beamCoordinates(ofPatientPoint p: Vec3) -> Vec3 { beamToPatient.transposed * (p - isocentreCM) }

    /// Where the ray from the source through a patient point crosses the isocentre plane (Zb = 0), as
    /// (Xb, Yb) in cm: the coordinates in which jaw and leaf positions are given. Nil for points at or
    /// behind the source.
    public func projectionOnIsocentrePlane(ofPatientPoint p: Vec3) -> (x: Double, y: Double)? {
        let b = beamCoordinates(ofPatientPoint: p)
        let distanceFromSource = sourceAxisDistanceCM - b.z
        guard distanceFromSource > 0 else { return nil }
        let scale = sourceAxisDistanceCM / distanceFromSource
        return (b.x * scale, b.y * scale)
    }
}
