import Foundation
import Geometry
import TestSupport
import Testing

@testable import DICOM

@Suite("RT Plan: writing, carried-forward control points, unsupported features, inconsistencies")
struct PlanTests {
    static let context = StudyContext(
        patient: PatientIdentity(), studyInstanceUID: "1.2.3", frameOfReferenceUID: "1.2.3.4", studyDate: "",
        studyTime: "", description: "")

    /// An arc whose later control points change gantry and MLC but not the jaws.
    static func arcPlan(fluenceMode: FluenceMode? = nil) -> Plan {
        let boundaries: [Double] = [-10, -5, 0, 5, 10]
        let jaws = ["ASYMX": [-20.0, 20], "ASYMY": [-10.0, 10]]
        let points = (0..<3).map { k in
            var positions = jaws
            positions["MLCX"] = [-5, -5 - Double(k), -6, -5, 5, 5 + Double(k), 6, 5]
            return ControlPoint(
                index: k, cumulativeMetersetWeight: Double(k) / 2, nominalBeamEnergy: 6, doseRate: 600,
                gantryAngleDeg: 180 + 10 * Double(k), gantryRotation: .CW, collimatorAngleDeg: 30, couchAngleDeg: 350,
                isocentreMM: Vec3(1, 2, 3), devicePositionsMM: positions)
        }
        let beam = Beam(
            number: 7, name: "ARC", type: "DYNAMIC", radiationType: "PHOTON", treatmentDeliveryType: "TREATMENT",
            machineName: "M", primaryDosimeterUnit: "MU", sourceAxisDistanceMM: 1000,
            limitingDevices: [
                BeamLimitingDevice(type: "ASYMX", sourceDistanceMM: nil, pairCount: 1, leafBoundariesMM: []),
                BeamLimitingDevice(type: "ASYMY", sourceDistanceMM: nil, pairCount: 1, leafBoundariesMM: []),
                BeamLimitingDevice(type: "MLCX", sourceDistanceMM: nil, pairCount: 4, leafBoundariesMM: boundaries),
            ],
            finalCumulativeMetersetWeight: 1, controlPoints: points, fluenceMode: fluenceMode)
        return Plan(
            sopInstanceUID: "1.2.3.9", label: "ARC", studyInstanceUID: "1.2.3", frameOfReferenceUID: "1.2.3.4",
            referencedStructureSetUID: nil, patient: PatientIdentity(),
            fractionGroups: [FractionGroup(number: 1, fractionsPlanned: 5, beamMetersetsMU: [7: 321.5])], beams: [beam])
    }

    static func dataSet() throws -> DataSet {
        try PlanWriter.dataSet(
            arcPlan(), context: context, seriesInstanceUID: "1.2.3.10", prescriptionGy: 10, patientPosition: .headFirstSupine)
    }

    @Test("a plan written with only the changes per control point reads back fully resolved")
    func roundTrip() throws {
        let d = try Self.dataSet()
        // The writer omits what does not change (PS3.3 C.8.8.14.5): later points carry no jaws or couch.
        let written = try d.sequence("BeamSequence")![0].sequence("ControlPointSequence")!
        #expect(
            try written[1].sequence("BeamLimitingDevicePositionSequence")!.map { $0.string("RTBeamLimitingDeviceType") }
                == ["MLCX"])
        #expect(!written[1].contains("PatientSupportAngle") && !written[1].contains("NominalBeamEnergy"))
        let back = try Plan(DataSetWriter.encode(d).parsedDataSet())
        let original = Self.arcPlan().beams[0], read = back.beams[0]
        #expect(back.metersetMU(beamNumber: 7) == 321.5 && back.fractionGroups[0].fractionsPlanned == 5)
        for (a, b) in zip(original.controlPoints, read.controlPoints) {
            #expect(a.gantryAngleDeg == b.gantryAngleDeg && a.gantryRotation == b.gantryRotation)
            #expect(a.collimatorAngleDeg == b.collimatorAngleDeg && a.couchAngleDeg == b.couchAngleDeg)
            #expect(a.devicePositionsMM == b.devicePositionsMM && a.isocentreMM == b.isocentreMM)
            #expect(
                a.nominalBeamEnergy == b.nominalBeamEnergy && a.cumulativeMetersetWeight == b.cumulativeMetersetWeight)
        }
        #expect(read.mlc?.leafBoundariesMM == [-10, -5, 0, 5, 10])
        #expect(back.unsupportedFeatures.isEmpty)
    }

    @Test("a flattening-filter-free beam's fluence mode is written and read back; NON_STANDARD without its ID is refused")
    func fluenceMode() throws {
        let fff = FluenceMode(mode: "NON_STANDARD", identifier: "FFF")
        var d = try PlanWriter.dataSet(
            Self.arcPlan(fluenceMode: fff), context: Self.context, seriesInstanceUID: "1.2.3.10", prescriptionGy: 10,
            patientPosition: .headFirstSupine)
        #expect(try Plan(DataSetWriter.encode(d).parsedDataSet()).beams[0].fluenceMode == fff)
        #expect(try Plan(Self.dataSet()).beams[0].fluenceMode == nil)
        var beams = try d.sequence("BeamSequence")!
        var mode = DataSet()
        mode.set("FluenceMode", "NON_STANDARD")
        beams[0].set("PrimaryFluenceModeSequence", items: [mode])
        d.set("BeamSequence", items: beams)
        #expect {
            try Plan(d)
        } throws: { ($0 as? DICOMError)?.description.contains("Fluence Mode ID (3002,0052)") == true }
    }

    @Test("wedges, blocks and compensators are reported as unsupported, and a bolus no ROI names is unmodelled")
    func unsupported() throws {
        var d = try Self.dataSet()
        var beams = try d.sequence("BeamSequence")!
        beams[0].set("NumberOfWedges", integers: [1])
        var wedge = DataSet()
        wedge.set("BeamNumber", integers: [1])
        beams[0].set("WedgeSequence", items: [wedge])
        beams[0].set("NumberOfBlocks", integers: [2])
        beams[0].set("NumberOfBoli", integers: [1])
        d.set("BeamSequence", items: beams)
        let plan = try Plan(d)
        #expect(plan.unsupportedFeatures.count == 2)
        #expect(plan.unsupportedFeatures.contains { $0.contains("1 wedge") && $0.contains("ARC") })
        #expect(plan.unsupportedFeatures.contains { $0.contains("2 blocks") })
        #expect(plan.boli.map(\.count) == [1] && plan.boli[0].roiNumbers.isEmpty)
        // Whatever the phantom holds, a bolus the plan names by no ROI cannot be computed.
        let unmodelled = plan.unmodelledFeatures(bolusROIsInPhantom: [1, 2, 3])
        #expect(unmodelled.count == 3)
        #expect(unmodelled.contains { $0.contains("1 bolus") && $0.contains("1 not referenced by an ROI") })
    }

    @Test("a bolus referenced by its ROI is modelled exactly when that ROI is in the phantom")
    func referencedBolus() throws {
        var d = try Self.dataSet()
        var beams = try d.sequence("BeamSequence")!
        beams[0].set("NumberOfBoli", integers: [2])
        var bolus = DataSet()
        bolus.set("ReferencedROINumber", integers: [7])
        beams[0].set("ReferencedBolusSequence", items: [bolus])
        d.set("BeamSequence", items: beams)
        // Through the file encoding: the sequence's tag must be in the data dictionary.
        let plan = try Plan(DataSetWriter.encode(d).parsedDataSet())
        #expect(plan.unsupportedFeatures.isEmpty)
        #expect(plan.boli.map(\.roiNumbers) == [[7]] && plan.boli[0].count == 2)
        // Two boli, one referenced: the other is unmodelled even with ROI 7 in the phantom.
        #expect(plan.unmodelledFeatures(bolusROIsInPhantom: [7]).count == 1)
        beams[0].set("NumberOfBoli", integers: [1])
        d.set("BeamSequence", items: beams)
        let one = try Plan(d)
        #expect(one.unmodelledFeatures(bolusROIsInPhantom: [7]).isEmpty)
        #expect(one.unmodelledFeatures(bolusROIsInPhantom: [3]) == [
            "\(one.boli[0].beam): 1 bolus (ROI 7 not in the phantom; a bolus is computed when its BOLUS ROI is in the "
                + "structure set and density overrides are applied)"
        ])
        var missing = DataSet()
        missing.set("ReferencedROINumber", "")
        beams[0].set("ReferencedBolusSequence", items: [missing])
        d.set("BeamSequence", items: beams)
        #expect(throws: DICOMError.self) { try Plan(d) }
    }

    @Test(
        "inconsistent plans are errors naming the beam and control point",
        arguments: ["leaves", "weights", "final", "overlap", "boundaries"])
    func inconsistent(_ flaw: String) throws {
        var d = try Self.dataSet()
        var beams = try d.sequence("BeamSequence")!
        var points = try beams[0].sequence("ControlPointSequence")!
        switch flaw {
        case "leaves":
            var p = try points[1].sequence("BeamLimitingDevicePositionSequence")!
            p[0].set("LeafJawPositions", decimals: [1, 2, 3])
            points[1].set("BeamLimitingDevicePositionSequence", items: p)
        case "weights": points[2].set("CumulativeMetersetWeight", decimals: [0.2])
        case "final": beams[0].set("FinalCumulativeMetersetWeight", decimals: [2])
        case "overlap":
            var p = try points[1].sequence("BeamLimitingDevicePositionSequence")!
            p[0].set("LeafJawPositions", decimals: [9, -5, -5, -5, 5, 5, 5, 5])
            points[1].set("BeamLimitingDevicePositionSequence", items: p)
        default:
            var devices = try beams[0].sequence("BeamLimitingDeviceSequence")!
            devices[2].set("LeafPositionBoundaries", decimals: [-10, -5, 0, 5])
            beams[0].set("BeamLimitingDeviceSequence", items: devices)
        }
        beams[0].set("ControlPointSequence", items: points)
        d.set("BeamSequence", items: beams)
        do {
            _ = try Plan(d)
            Issue.record("the \(flaw) flaw was accepted")
        } catch let e as DICOMError {
            #expect(e.description.contains("beam 7 'ARC'"), Comment(rawValue: e.description))
        }
    }
}

extension [UInt8] {
    /// Parses data-set bytes (Explicit VR Little Endian without File Meta) back into a data set.
    func parsedDataSet() throws -> DataSet { try DICOMFile.parse(self).dataSet }
}
