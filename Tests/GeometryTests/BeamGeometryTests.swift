import Geometry
import Testing

/// Hand-worked IEC 61217 cases. Patient coordinates are DICOM LPS: +x patient's left, +y posterior,
/// +z superior.
@Suite struct BeamGeometryTests {
    let iso = Vec3(1, 2, 3)

    func expectClose(_ a: Vec3, _ b: Vec3, _ comment: Comment? = nil) {
        // Rotations of exact cardinal angles are exact; 1e-9 cm only absorbs rounding at other angles.
        #expect((a - b).length < 1e-9, comment)
    }

    @Test func gantryZeroHeadFirstSupineIsAnteriorPosterior() {
        let beam = BeamGeometry(gantryDeg: 0, collimatorDeg: 0, couchDeg: 0, isocentreCM: iso)
        // The source is above the supine patient, i.e. anterior (−y), 100 cm from the isocentre.
        expectClose(beam.sourcePositionCM, iso + Vec3(0, -100, 0))
        expectClose(beam.centralAxisDirection, Vec3(0, 1, 0))
        // Xb points to the observer's right at the couch foot = patient's left (+x); Yb towards the gantry = superior.
        expectClose(beam.beamAxesInPatient.x, Vec3(1, 0, 0))
        expectClose(beam.beamAxesInPatient.y, Vec3(0, 0, 1))
    }

    @Test(arguments: [
        // (position, gantry, where the source is relative to the isocentre)
        (PatientPosition.headFirstSupine, 90.0, Vec3(100, 0, 0)),  // HFS G90: from the patient's left
        (PatientPosition.headFirstSupine, 270.0, Vec3(-100, 0, 0)),  // HFS G270: from the patient's right
        (PatientPosition.headFirstSupine, 180.0, Vec3(0, 100, 0)),  // HFS G180: posterior–anterior
        (PatientPosition.headFirstProne, 0.0, Vec3(0, 100, 0)),  // HFP G0: back is up, so PA
        (PatientPosition.headFirstProne, 90.0, Vec3(-100, 0, 0)),  // HFP G90: from the patient's right
        (PatientPosition.feetFirstSupine, 90.0, Vec3(-100, 0, 0)),  // FFS G90: from the patient's right
        (PatientPosition.feetFirstProne, 90.0, Vec3(100, 0, 0)),  // FFP G90: from the patient's left
    ])
    func lateralAndPosteriorBeamsEnterFromTheRightSide(position: PatientPosition, gantry: Double, source: Vec3) {
        let beam = BeamGeometry(
            gantryDeg: gantry, collimatorDeg: 0, couchDeg: 0, isocentreCM: iso, patientPosition: position)
        expectClose(beam.sourcePositionCM, iso + source, "\(position) gantry \(gantry)")
        expectClose(beam.centralAxisDirection, -1 * source.normalized)
    }

    @Test func collimatorNinetyTurnsXJawsAlongTheLongAxis() {
        let beam = BeamGeometry(gantryDeg: 0, collimatorDeg: 90, couchDeg: 0, isocentreCM: iso)
        // Right-handed about Zb (pointing at the source): Xb turns towards the former Yb (superior),
        // Yb towards the former −Xb (patient's right).
        expectClose(beam.beamAxesInPatient.x, Vec3(0, 0, 1))
        expectClose(beam.beamAxesInPatient.y, Vec3(-1, 0, 0))
        // The central axis does not move with the collimator.
        expectClose(beam.centralAxisDirection, Vec3(0, 1, 0))
    }

    @Test func couchNinetyWithGantryNinetyEntersFromTheFeet() {
        // Couch 90° turns the patient's head (+Ys) to −Xf; a G90 source (+Xf) then lies inferior.
        let beam = BeamGeometry(gantryDeg: 90, collimatorDeg: 0, couchDeg: 90, isocentreCM: iso)
        expectClose(beam.sourcePositionCM, iso + Vec3(0, 0, -100))
        expectClose(beam.centralAxisDirection, Vec3(0, 0, 1))
    }

    @Test func projectionMagnifiesTowardsTheSource() throws {
        let beam = BeamGeometry(gantryDeg: 0, collimatorDeg: 0, couchDeg: 0, isocentreCM: .zero)
        // A point 10 cm towards the source (anterior) and 5 cm to the patient's left projects to
        // 5 · 100 / 90 cm on the isocentre plane.
        let p = try #require(beam.projectionOnIsocentrePlane(ofPatientPoint: Vec3(5, -10, 0)))
        #expect(abs(p.x - 500.0 / 90.0) < 1e-12)
        #expect(abs(p.y) < 1e-12)
        #expect(beam.projectionOnIsocentrePlane(ofPatientPoint: Vec3(0, -100, 0)) == nil)
    }

    @Test func beamCoordinatesInvertPatientPoint() {
        let beam = BeamGeometry(gantryDeg: 33, collimatorDeg: 17, couchDeg: 350, isocentreCM: iso,
                                patientPosition: .feetFirstProne)
        let b = Vec3(3, -4, 7)
        expectClose(beam.beamCoordinates(ofPatientPoint: beam.patientPoint(beamCM: b)), b)
        // The source stays SAD from the isocentre at any angle.
        #expect(abs((beam.sourcePositionCM - iso).length - 100) < 1e-9)
    }
}
