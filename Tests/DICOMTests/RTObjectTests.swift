import Foundation
import TestSupport
import Testing

@testable import DICOM

@Suite("RT objects from other writers, compared with pydicom")
struct RTObjectTests {
    static let plans = [
        "pydicom/rtplan.dcm", "dicompyler-core/rtplan.dcm", "pymedphys/vmat_example.dcm", "pymedphys/06MV_plan.dcm",
        "pymedphys/FFF_example.dcm", "pymedphys/24mm_x_20mm_rectangle.dcm",
    ]

    @Test("RT Plan beams, meterset, control points and MLC match pydicom", arguments: plans)
    func plan(_ name: String) throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let url = TestFiles.url(name)
        let plan = try Plan(contentsOf: url)
        let reference = try PydicomSummary.of(url)["beams"] as! [[String: Any]]
        #expect(plan.beams.count == reference.count)
        for (beam, ref) in zip(plan.beams, reference) {
            #expect(beam.number == ref["number"] as! Int)
            #expect(beam.name == ref["name"] as! String || (ref["name"] as! String).isEmpty)
            #expect(beam.controlPoints.count == ref["ncp"] as! Int)
            let gantry = ref["gantry"] as! [Double]
            // Resolved control points carry the last stated angle; the stated ones must match exactly.
            #expect(beam.controlPoints.first?.gantryAngleDeg == gantry.first)
            if gantry.count == beam.controlPoints.count {
                #expect(beam.controlPoints.map(\.gantryAngleDeg) == gantry)
            }
            #expect(beam.nominalEnergy == ref["energy"] as? Double)
            #expect(plan.metersetMU(beamNumber: beam.number) == ref["mu"] as? Double)
            #expect((beam.mlc?.pairCount ?? 0) == ref["pairs"] as! Int)
            if let mlc = beam.mlc {
                for cp in beam.controlPoints { #expect(cp.devicePositionsMM[mlc.type]?.count == 2 * mlc.pairCount) }
            }
        }
    }

    @Test("dicompyler-core breast plan: 4 sliding-window beams with 60 leaf pairs")
    func dicompylerPlanShape() throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let plan = try Plan(contentsOf: TestFiles.url("dicompyler-core/rtplan.dcm"))
        #expect(plan.beams.filter { $0.treatmentDeliveryType != "SETUP" }.count >= 4)
        #expect(plan.beams.allSatisfy { $0.mlc == nil || $0.mlc!.leafBoundariesMM.count == 61 })
        #expect(plan.unsupportedFeatures.isEmpty)
    }

    @Test("Monaco VMAT plan without File Meta: two dynamic arcs")
    func monacoVMAT() throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let file = try DICOMFile.read(contentsOf: TestFiles.url("pymedphys/vmat_example.dcm"))
        #expect(!file.hasPreamble && file.transferSyntax == .implicitVRLittleEndian)
        let plan = try Plan(file.dataSet)
        #expect(plan.beams.map(\.type) == ["DYNAMIC", "DYNAMIC"])
        #expect(plan.beams.map { $0.controlPoints.count } == [32, 31])
        for beam in plan.beams {
            let weights = beam.controlPoints.map(\.cumulativeMetersetWeight)
            #expect(zip(weights.dropFirst(), weights).allSatisfy { $0 >= $1 })
            #expect(beam.controlPoints.last!.cumulativeMetersetWeight == beam.finalCumulativeMetersetWeight)
            #expect(beam.controlPoints.contains { $0.gantryRotation != .NONE })
        }
    }

    static let structureSets = ["pydicom/rtstruct.dcm", "dicompyler-core/rtss.dcm"]

    @Test("RT Structure Set ROIs, contours and points match pydicom", arguments: structureSets)
    func structures(_ name: String) throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let url = TestFiles.url(name)
        let set = try StructureSet(contentsOf: url)
        let reference = try PydicomSummary.of(url)["rois"] as! [[String: Any]]
        #expect(set.rois.count == reference.count)
        for (roi, ref) in zip(set.rois, reference) {
            #expect(roi.number == ref["number"] as! Int)
            #expect(roi.name == ref["name"] as! String)
            #expect(roi.contours.count == ref["contours"] as! Int)
            #expect(roi.contours.map(\.pointsMM.count).reduce(0, +) == ref["points"] as! Int)
        }
    }

    @Test("dicompyler-core structure set: 10 ROIs, one of them empty")
    func dicompylerStructures() throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let set = try StructureSet(contentsOf: TestFiles.url("dicompyler-core/rtss.dcm"))
        #expect(set.rois.count == 10)
        #expect(set.rois.filter { $0.contours.isEmpty }.count == 1)
        #expect(set.rois.allSatisfy { $0.colour != nil })
    }

    @Test("pydicom's rtstruct has no File Meta and is implicit VR")
    func structureWithoutMeta() throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let file = try DICOMFile.read(contentsOf: TestFiles.url("pydicom/rtstruct.dcm"))
        #expect(file.meta.elements.isEmpty)
    }

    static let doses = [
        "pydicom/rtdose.dcm", "dicompyler-core/rtdose.dcm", "tg119:RTDOSE_A_open10x10.dcm",
        "tg119:RTDOSE_B_9field_optimized.dcm",
    ]

    @Test("RT Dose grid, geometry and values match pydicom", arguments: doses)
    func dose(_ name: String) throws {
        let url = name.hasPrefix("tg119:") ? TestFiles.tg119(String(name.dropFirst(6))) : TestFiles.url(name)
        if !name.hasPrefix("tg119:") { try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage)) }
        let dose = try DoseVolume(contentsOf: url)
        let ref = try PydicomSummary.of(url)["dose"] as! [String: Any]
        #expect(
            dose.counts.x == ref["columns"] as! Int && dose.counts.y == ref["rows"] as! Int
                && dose.counts.z == ref["frames"] as! Int)
        let position = ref["position"] as! [Double], spacing = ref["spacing"] as! [Double],
            offsets = ref["offsets"] as! [Double]
        #expect(dose.originMM.x == position[0] && dose.originMM.y == position[1])
        #expect(abs(dose.originMM.z - (position[2] + (offsets.min()! - (offsets[0] == 0 ? 0 : position[2])))) < 1e-6)
        #expect(dose.spacingMM.x == spacing[1] && dose.spacingMM.y == spacing[0])
        // Float storage: 1 part in 10⁶ of the maximum (Float has a 24-bit significand).
        #expect(abs(Double(dose.maximum) - (ref["max"] as! Double)) <= 1e-6 * (ref["max"] as! Double))
        let sum = dose.values.reduce(0.0) { $0 + Double($1) }
        #expect(abs(sum - (ref["sum"] as! Double)) <= 1e-5 * (ref["sum"] as! Double))
    }

    @Test("dicompyler-core dose: the TPS's DVHs read as pydicom reads them")
    func tpsDVHs() throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let url = TestFiles.url("dicompyler-core/rtdose.dcm")
        let dvhs = try TPSDVH.read(from: try DICOMFile.read(contentsOf: url).dataSet)
        let script = """
            import sys, json, pydicom
            d = pydicom.dcmread(sys.argv[1])
            print(json.dumps([dict(roi=int(x.DVHReferencedROISequence[0].ReferencedROINumber), bins=int(x.DVHNumberOfBins),
                first=float(x.DVHData[1]), width=float(x.DVHData[0]) * float(x.DVHDoseScaling), mean=float(x.DVHMeanDose))
                for x in d.DVHSequence]))
            """
        let out = try runPython(script, arguments: [url.path])
        let ref = try JSONSerialization.jsonObject(with: out.standardOutput.data(using: .utf8)!) as! [[String: Any]]
        #expect(dvhs.count == ref.count && dvhs.count == 9)
        for (dvh, r) in zip(dvhs, ref) {
            #expect(dvh.roiNumber == r["roi"] as! Int && dvh.volumes.count == r["bins"] as! Int)
            #expect(dvh.volumes.first == r["first"] as? Double && dvh.binWidths.first == r["width"] as? Double)
            #expect(dvh.mean == r["mean"] as? Double && dvh.type == "CUMULATIVE" && dvh.volumeUnits == "CM3")
            // A cumulative DVH never increases with dose.
            #expect(zip(dvh.volumes.dropFirst(), dvh.volumes).allSatisfy { $0 <= $1 + 1e-9 })
        }
    }

    @Test("dicompyler-core dose is 194×129×98")
    func dicompylerDoseShape() throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let dose = try DoseVolume(contentsOf: TestFiles.url("dicompyler-core/rtdose.dcm"))
        #expect(dose.counts == (194, 129, 98))
    }

    /// pydicom's `rtdose_expb.dcm` stores 32-bit pixels as big-endian 32-bit values under VR OW; PS3.5 §7.3
    /// orders OW by 16-bit words, and DCMTK reads it that way. We follow the standard and DCMTK (docs/dicom.md):
    /// the header matches the little-endian copy exactly, the pixels match DCMTK's decoding.
    @Test("big-endian RT Dose: header equals the little-endian copy, pixels decode as DCMTK decodes them")
    func endianness() throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let little = try DoseVolume(contentsOf: TestFiles.url("pydicom/rtdose.dcm"))
        let big = try DoseVolume(contentsOf: TestFiles.url("pydicom/rtdose_expb.dcm"))
        #expect(big.counts == little.counts && big.originMM == little.originMM && big.spacingMM == little.spacingMM)
        let folder = try TestEnvironment.makeScratchDirectory("expb")
        defer { try? FileManager.default.removeItem(at: folder) }
        let converted = folder.appendingPathComponent("le.dcm")
        let out = try runProgram(
            URL(fileURLWithPath: "/usr/bin/dcmconv"),
            ["+te", TestFiles.url("pydicom/rtdose_expb.dcm").path, converted.path])
        try #require(out.status == 0, Comment(rawValue: out.standardError))
        #expect(try DoseVolume(contentsOf: converted).values == big.values)
    }

    @Test("big-endian MR image streamed pixel data equals pydicom's pixel array")
    func bigEndianPixels() throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let url = TestFiles.url("pydicom/MR_small_bigendian.dcm")
        let header = try DICOMFile.read(contentsOf: url, stopBeforePixelData: true)
        #expect(header.transferSyntax == .explicitVRBigEndian)
        let bytes = try header.readPixelData(contentsOf: url)
        let values = stride(from: 0, to: bytes.count, by: 2).map {
            Int(Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8))
        }
        let out = try runPython(
            "import sys, pydicom; a = pydicom.dcmread(sys.argv[1]).pixel_array; print(int(a.astype('int64').sum()), int(a[10, 20]))",
            arguments: [url.path])
        let ref = out.standardOutput.split(separator: " ").map {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))!
        }
        #expect(values.reduce(0, +) == ref[0])
        #expect(values[10 * 64 + 20] == ref[1])
    }

    @Test("TG-119 structure set and plan")
    func tg119() throws {
        let set = try StructureSet(contentsOf: TestFiles.tg119("RTSTRUCT.dcm"))
        #expect(Set(set.rois.map(\.name)).isSuperset(of: ["Core", "OuterTarget", "BODY"]))
        let plan = try Plan(contentsOf: TestFiles.tg119("RTPLAN_A_open10x10.dcm"))
        #expect(plan.beams.count == 1)
        #expect(plan.metersetMU(beamNumber: plan.beams[0].number) == 100)
    }
}
