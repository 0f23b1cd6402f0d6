import Beam
import DICOM
import Geometry

/// How the patient lies at treatment, which sets where each gantry angle puts the beam in the patient
/// (IEC 61217 to DICOM patient coordinates). The RT Plan says it in its Patient Setup Sequence (300A,0180);
/// a planning system may treat in another orientation than the CT was scanned in (Eclipse's "treatment
/// orientation", e.g. a CT scanned HFS treated FFS), and then the plan's position, not the CT's, is the one the
/// beams were planned with. Without a setup position the CT's is used.
enum TreatmentPosition {
    /// The position the plan's treatment beams are computed with, and a note for the log when it is not the CT's.
    /// - Throws: `CommandFailure` when beams disagree or a position is not one Penumbra places beams for
    ///   (decubitus HFDL/HFDR/FFDL/FFDR, sitting, or a Patient Additional Position).
    static func resolve(plan: Plan, ctPosition: PatientPosition?) throws -> (position: PatientPosition, note: String?) {
        let beams = try BeamMode.treatmentBeams(of: plan)
        let stated = Set(beams.compactMap(\.patientPosition))
        guard stated.count <= 1 else {
            let listed = beams.map { "beam \($0.number): \($0.patientPosition ?? "none")" }.joined(separator: ", ")
            throw CommandFailure(
                "the plan's beams are set up in different patient positions (\(listed)); split the plan by position")
        }
        guard let text = stated.first else { return (ctPosition ?? .headFirstSupine, nil) }
        guard let position = PatientPosition(rawValue: text) else {
            throw CommandFailure(
                "the plan's Patient Setup gives patient position '\(text)'; Penumbra places beams for HFS, HFP, FFS and "
                    + "FFP only (not decubitus or other positions), so it cannot compute this plan")
        }
        if let ctPosition, ctPosition != position {
            return (
                position,
                "the plan treats the patient \(position.rawValue) while the CT was scanned \(ctPosition.rawValue); "
                    + "the beams are placed for \(position.rawValue) as the plan's Patient Setup says"
            )
        }
        return (position, nil)
    }
}
