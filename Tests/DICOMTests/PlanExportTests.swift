import Foundation
import Geometry
import TestSupport
import Testing

@testable import DICOM

/// What planning-system exports contain that a plan reader can get silently wrong (docs/dicom.md, "What real
/// exports contain and what Penumbra does"): each case is the written arc plan of `PlanTests` with one edit.
@Suite("RT Plan: patient setups, fraction-group references and undeclared devices of real exports")
struct PlanExportTests {
    /// The arc plan's data set with `edit` applied to its first beam.
    static func edited(_ edit: (inout DataSet, inout DataSet) throws -> Void) throws -> DataSet {
        var d = try PlanTests.dataSet()
        var beams = try d.sequence("BeamSequence")!
        try edit(&d, &beams[0])
        d.set("BeamSequence", items: beams)
        return d
    }

    @Test("Leaf/Jaw Positions of a device the beam does not declare are an error naming beam, control point and device")
    func undeclaredDevice() throws {
        // Without the MLCX declaration the leaves would have no boundaries and the beam would be computed open.
        let d = try Self.edited { _, beam in
            let devices = try beam.sequence("BeamLimitingDeviceSequence")!
            beam.set("BeamLimitingDeviceSequence", items: devices.filter { $0.string("RTBeamLimitingDeviceType") != "MLCX" })
        }
        #expect {
            try Plan(d)
        } throws: { e in
            let text = (e as? DICOMError)?.description ?? ""
            return text.contains("beam 7 'ARC', control point 0") && text.contains("MLCX") && text.contains("does not declare")
        }
    }

    @Test("a fraction group that references a beam the plan does not hold is an error")
    func missingReferencedBeam() throws {
        let d = try Self.edited { d, _ in
            var groups = try d.sequence("FractionGroupSequence")!
            var refs = try groups[0].sequence("ReferencedBeamSequence")!
            var extra = DataSet()
            extra.set("ReferencedBeamNumber", integers: [9])
            extra.set("BeamMeterset", decimals: [120])
            refs.append(extra)
            groups[0].set("ReferencedBeamSequence", items: refs)
            d.set("FractionGroupSequence", items: groups)
        }
        #expect {
            try Plan(d)
        } throws: { e in
            let text = (e as? DICOMError)?.description ?? ""
            return text.contains("fraction group 1 references beam 9") && text.contains("beams: 7")
        }
    }

    @Test("a beam referenced without a Beam Meterset is still known to be in its fraction group")
    func referencedWithoutMeterset() throws {
        let d = try Self.edited { d, _ in
            var groups = try d.sequence("FractionGroupSequence")!
            var refs = try groups[0].sequence("ReferencedBeamSequence")!
            refs[0].remove(Tag.named("BeamMeterset"))
            groups[0].set("ReferencedBeamSequence", items: refs)
            d.set("FractionGroupSequence", items: groups)
        }
        let group = try Plan(d).fractionGroups[0]
        #expect(group.referencedBeams == [7] && group.beamMetersetsMU.isEmpty)
    }

    @Test("each beam carries the patient position of the setup it references", arguments: [
        (2, "FFS"), (1, "HFS"), (3, "HFDL"),
    ])
    func patientSetup(reference: Int, expected: String) throws {
        let d = try Self.edited { d, beam in
            d.set("PatientSetupSequence", items: [("HFS", 1), ("FFS", 2), ("HFDL", 3)].map { position, number in
                var s = DataSet()
                s.set("PatientPosition", position)
                s.set("PatientSetupNumber", integers: [number])
                return s
            })
            beam.set("ReferencedPatientSetupNumber", integers: [reference])
        }
        #expect(try Plan(d).beams[0].patientPosition == expected)
    }

    @Test("a setup with only a Patient Additional Position passes that text on; the only setup needs no reference")
    func additionalPosition() throws {
        let d = try Self.edited { d, beam in
            var s = DataSet()
            s.set("PatientSetupNumber", integers: [1])
            s.set("PatientAdditionalPosition", "SITTING")
            d.set("PatientSetupSequence", items: [s])
            beam.remove(Tag.named("ReferencedPatientSetupNumber"))
        }
        #expect(try Plan(d).beams[0].patientPosition == "SITTING")
        #expect(try Plan(PlanTests.dataSet()).beams[0].patientPosition == "HFS")
    }

    @Test("Monaco exports (pymedphys's bundled plans): HFS setups, Agility with ASYMY and MLCX only")
    func monacoExports() throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        for name in ["vmat_example.dcm", "06MV_plan.dcm", "FFF_example.dcm"] {
            let plan = try Plan(contentsOf: TestFiles.url("pymedphys/\(name)"))
            for beam in plan.beams {
                #expect(beam.patientPosition == "HFS")
                #expect(beam.limitingDevices.map(\.type) == ["ASYMY", "MLCX"] && beam.mlc?.pairCount == 80)
            }
        }
    }

    @Test("table-top pitch and roll (FL) and eccentric angle are read and carried to later control points")
    func tableTopAngles() throws {
        let d = try Self.edited { _, beam in
            var points = try beam.sequence("ControlPointSequence")!
            points[0].set("TableTopPitchAngle", vr: .FL, bytes: withUnsafeBytes(of: Float(1.5).bitPattern.littleEndian, Array.init))
            points[1].set("TableTopRollAngle", vr: .FL, bytes: withUnsafeBytes(of: Float(-0.5).bitPattern.littleEndian, Array.init))
            beam.set("ControlPointSequence", items: points)
        }
        let points = try Plan(d).beams[0].controlPoints
        #expect(points[0].tableTopAnglesDeg == (0, 1.5, 0))
        #expect(points[2].tableTopAnglesDeg == (0, 1.5, -0.5))
    }
}
