import Foundation
import Geometry
import TestSupport
import Testing

@testable import DICOM

@Suite("RT Dose writing, read back by pydicom and DCMTK")
struct RTDoseWriterTests {
    /// A 7×5×4 grid with a known, non-symmetric dose pattern and a non-zero origin.
    static let grid = VoxelGrid(counts: (7, 5, 4), originCM: Vec3(-3.5, -2.0, 10.0), spacingCM: Vec3(0.25, 0.4, 0.3))
    static let dose: [Double] = (0..<(7 * 5 * 4)).map { (n: Int) -> Double in
        let i = Double(n % 7), j = Double((n / 7) % 5), k = Double(n / 35)
        return i * 0.5 + j * 0.125 + k * 2
    }

    static func references() -> RTDoseWriter.References {
        .init(
            studyInstanceUID: UIDGenerator.make(), frameOfReferenceUID: UIDGenerator.make(),
            planSOPInstanceUID: UIDGenerator.make(), patient: PatientIdentity(name: "Test^Phantom", id: "P-1"))
    }

    @Test("the dose of one fraction group of several is FRACTION and references its group")
    func fractionGroup() throws {
        let d = try RTDoseWriter.dataSet(
            grid: Self.grid, doseGy: Self.dose, summation: .fractionGroup(2), references: Self.references())
        let back = try DICOMFile.parse(DataSetWriter.fileBytes(d)).dataSet
        #expect(back.string("DoseSummationType") == "FRACTION")
        let group = try back.sequence("ReferencedRTPlanSequence")?.first?.sequence("ReferencedFractionGroupSequence")?.first
        #expect(try group?.int("ReferencedFractionGroupNumber") == 2)
    }

    @Test("pydicom reads the geometry, values and references; dcmdump reports nothing")
    func interop() throws {
        let folder = try TestEnvironment.makeScratchDirectory("rtdose")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("RD.dcm")
        let refs = Self.references()
        try RTDoseWriter.write(
            grid: Self.grid, doseGy: Self.dose, summation: .beam(number: 2, fractionGroup: 1), references: refs,
            comment: "test", to: url)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["RD.dcm"])  // no temporary left

        let script = """
            import sys, json, pydicom, numpy as np
            d = pydicom.dcmread(sys.argv[1])
            a = d.pixel_array.astype(np.float64) * float(d.DoseGridScaling)
            p = d.ReferencedRTPlanSequence[0]
            print(json.dumps(dict(shape=list(a.shape), position=[float(x) for x in d.ImagePositionPatient],
                spacing=[float(x) for x in d.PixelSpacing], offsets=[float(x) for x in d.GridFrameOffsetVector],
                dose=a.ravel().tolist(), units=d.DoseUnits, type=d.DoseType, summation=d.DoseSummationType,
                plan=p.ReferencedSOPInstanceUID, beam=int(p.ReferencedFractionGroupSequence[0].ReferencedBeamSequence[0].ReferencedBeamNumber),
                frame=d.FrameOfReferenceUID, study=d.StudyInstanceUID, bits=int(d.BitsAllocated), ts=str(d.file_meta.TransferSyntaxUID))))
            """
        let out = try runPython(script, arguments: [url.path])
        try #require(out.status == 0, Comment(rawValue: out.standardError))
        let j = try JSONSerialization.jsonObject(with: out.standardOutput.data(using: .utf8)!) as! [String: Any]
        #expect(j["shape"] as! [Int] == [4, 5, 7])  // frames, rows, columns
        let position = j["position"] as! [Double]
        // First voxel centre: corner + half a voxel, in mm.
        #expect(
            abs(position[0] - (-35 + 1.25)) < 1e-9 && abs(position[1] - (-20 + 2)) < 1e-9
                && abs(position[2] - (100 + 1.5)) < 1e-9)
        #expect(j["spacing"] as! [Double] == [4, 2.5])
        let offsets = j["offsets"] as! [Double]
        #expect(offsets.count == 4 && zip(offsets, [0, 3, 6, 9]).allSatisfy { abs($0 - $1) < 1e-9 })
        let values = j["dose"] as! [Double]
        let maximum = Self.dose.max()!
        // Quantisation: half a step of DoseGridScaling = max / (2³² − 2), plus DS rounding of the scale (≤ 1e-15 relative).
        for (a, b) in zip(values, Self.dose) { #expect(abs(a - b) <= maximum / 4e9 + 1e-12 * maximum) }
        #expect(
            j["units"] as! String == "GY" && j["type"] as! String == "PHYSICAL" && j["summation"] as! String == "BEAM")
        #expect(j["plan"] as! String == refs.planSOPInstanceUID && j["beam"] as! Int == 2)
        #expect(j["frame"] as! String == refs.frameOfReferenceUID && j["study"] as! String == refs.studyInstanceUID)
        #expect(j["bits"] as! Int == 32 && j["ts"] as! String == "1.2.840.10008.1.2.1")

        let dump = try runProgram(URL(fileURLWithPath: "/usr/bin/dcmdump"), ["-dc", url.path])
        #expect(dump.status == 0)
        #expect(dump.standardError.isEmpty, Comment(rawValue: dump.standardError))
        #expect(!dump.standardOutput.contains("W:") && !dump.standardOutput.contains("E:"))
        #expect(dump.standardOutput.contains("DoseGridScaling"))

        // And our own reader gives back the same grid.
        let back = try DoseVolume(contentsOf: url)
        #expect(back.voxelGrid.counts == Self.grid.counts)
        #expect((back.voxelGrid.originCM - Self.grid.originCM).length < 1e-9)
        #expect(back.referencedPlanUID == refs.planSOPInstanceUID && back.summationType == "BEAM")
    }

    @Test("negative or non-finite doses and mismatched arrays are refused, and nothing is written")
    func badInput() throws {
        let folder = try TestEnvironment.makeScratchDirectory("rtdose-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("RD.dcm")
        for bad in [Array(Self.dose.dropLast()), [-1] + Self.dose.dropFirst(), [.nan] + Self.dose.dropFirst()] {
            #expect(throws: DICOMError.self) {
                try RTDoseWriter.write(
                    grid: Self.grid, doseGy: bad, summation: .plan, references: Self.references(), to: url)
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test("UIDs under 2.25 are valid: digits only, no leading zeros, at most 64 characters")
    func uids() {
        let all = (0..<200).map { _ in UIDGenerator.make() }
        #expect(Set(all).count == all.count)
        for uid in all {
            #expect(uid.hasPrefix("2.25.") && uid.count <= 64)
            let digits = uid.dropFirst(5)
            #expect(digits.allSatisfy(\.isNumber) && (digits.first != "0" || digits.count == 1))
        }
        #expect(UIDGenerator.uid(from: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!) == "2.25.1")
        #expect(
            UIDGenerator.uid(from: UUID(uuidString: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")!)
                == "2.25.340282366920938463463374607431768211455")
        #expect(UIDGenerator.uid(derivedFrom: "a") == UIDGenerator.uid(derivedFrom: "a"))
    }

    @Test(
        "Grid Frame Offset Vector: negative (descending) and absolute forms place frames by z",
        arguments: ["negative", "absolute"])
    func frameOffsets(form: String) throws {
        var d = try RTDoseWriter.dataSet(
            grid: Self.grid, doseGy: Self.dose, summation: .plan, references: Self.references())
        let ipp = try d.doubles("ImagePositionPatient")!
        if form == "negative" {
            d.set("GridFrameOffsetVector", decimals: [0, -3, -6, -9])  // frames stored top-down
        } else {
            d.set("GridFrameOffsetVector", decimals: [0, 3, 6, 9].map { ipp[2] + $0 })
        }
        let v = try DoseVolume(try DICOMFile.parse(DataSetWriter.fileBytes(d)).dataSet)
        let plane = 7 * 5
        let stored = try DoseVolume(
            try DICOMFile.parse(
                DataSetWriter.fileBytes(
                    try RTDoseWriter.dataSet(
                        grid: Self.grid, doseGy: Self.dose, summation: .plan, references: Self.references()))
            ).dataSet)
        if form == "negative" {
            #expect(abs(v.originMM.z - (ipp[2] - 9)) < 1e-9)
            // Frame k of the volume (lowest z first) is stored frame 3 − k.
            for k in 0..<4 {
                #expect(
                    Array(v.values[(k * plane)..<((k + 1) * plane)])
                        == Array(stored.values[((3 - k) * plane)..<((4 - k) * plane)]))
            }
        } else {
            #expect(abs(v.originMM.z - ipp[2]) < 1e-9 && v.values == stored.values)
        }
        d.set("GridFrameOffsetVector", decimals: [5, 8, 11, 14])  // neither relative nor absolute
        #expect(throws: DICOMError.self) { try DoseVolume(try DICOMFile.parse(DataSetWriter.fileBytes(d)).dataSet) }
    }
}
