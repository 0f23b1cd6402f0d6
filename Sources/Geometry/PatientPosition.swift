/// How the patient lies on the couch (DICOM Patient Position (0018,5100), PS3.3 C.7.3.1.1.2).
///
/// Penumbra supports the four couch orientations that radiotherapy CTs are acquired in; decubitus
/// positions are refused where they are read.
public enum PatientPosition: String, Sendable, Codable, CaseIterable {
    /// Head first, supine.
    case headFirstSupine = "HFS"
    /// Head first, prone.
    case headFirstProne = "HFP"
    /// Feet first, supine.
    case feetFirstSupine = "FFS"
    /// Feet first, prone.
    case feetFirstProne = "FFP"

    /// The rotation that takes a direction in DICOM patient coordinates (LPS: +x to the patient's left,
    /// +y posterior, +z superior) to the IEC 61217 patient support system "s" with the couch at 0°
    /// (+Xs to the right of an observer at the couch foot facing the gantry, +Ys towards the gantry,
    /// +Zs up).
    ///
    /// Derivation: head first puts superior (+z) towards the gantry (+Ys), feet first puts it away;
    /// supine puts anterior (−y) up (+Zs), prone puts posterior (+y) up; +Xs = Ys × Zs (right-handed).
    public var patientToSupport: Matrix3 {
        switch self {
        case .headFirstSupine:  // Xs = +x, Ys = +z, Zs = −y
            Matrix3(rows: Vec3(1, 0, 0), Vec3(0, 0, 1), Vec3(0, -1, 0))
        case .headFirstProne:  // Xs = −x, Ys = +z, Zs = +y
            Matrix3(rows: Vec3(-1, 0, 0), Vec3(0, 0, 1), Vec3(0, 1, 0))
        case .feetFirstSupine:  // Xs = −x, Ys = −z, Zs = −y
            Matrix3(rows: Vec3(-1, 0, 0), Vec3(0, 0, -1), Vec3(0, -1, 0))
        case .feetFirstProne:  // Xs = +x, Ys = −z, Zs = +y
            Matrix3(rows: Vec3(1, 0, 0), Vec3(0, 0, -1), Vec3(0, 1, 0))
        }
    }
}
