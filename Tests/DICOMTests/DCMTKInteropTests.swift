import Foundation
import Geometry
import TestSupport
import Testing

@testable import DICOM

/// Our files converted by DCMTK into other transfer syntaxes must read back identically, and its
/// compressed forms must be refused with the conversion advice.
@Suite("DCMTK conversions of our files")
struct DCMTKInteropTests {
    static func dcmtk(_ tool: String, _ arguments: [String]) throws -> ProgramOutput {
        try runProgram(URL(fileURLWithPath: "/usr/bin/\(tool)"), arguments)
    }

    static func series(in folder: URL) throws -> Volume {
        let hu: [Float] = (0..<(24 * 20 * 3)).map { (n: Int) -> Float in Float((n * 37) % 3000) - 1024 }
        let v = Volume(
            counts: (24, 20, 3), originMM: Vec3(-12, -10, 5), spacingMM: Vec3(1, 1, 2), huValues: hu,
            patientPosition: .feetFirstSupine, seriesInstanceUID: "1.2.826.0.1.5", frameOfReferenceUID: "1.2.826.0.1.4",
            studyInstanceUID: "1.2.826.0.1.3")
        let context = StudyContext(
            patient: PatientIdentity(name: "Müller^Jörg"), studyInstanceUID: v.studyInstanceUID,
            frameOfReferenceUID: v.frameOfReferenceUID, studyDate: "", studyTime: "", description: "")
        try CTSeriesWriter.write(v, context: context, to: folder)
        return v
    }

    @Test(
        "CT series re-encoded by dcmconv as Explicit VR Big Endian and Implicit VR Little Endian",
        arguments: ["+tb", "+ti"])
    func ctTransferSyntaxes(option: String) throws {
        let folder = try TestEnvironment.makeScratchDirectory("dcmconv")
        defer { try? FileManager.default.removeItem(at: folder) }
        let v = try Self.series(in: folder)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let url = folder.appendingPathComponent(name)
            let out = try Self.dcmtk("dcmconv", [option, url.path, url.path])
            try #require(out.status == 0, Comment(rawValue: out.standardError))
        }
        let first = try DICOMFile.read(contentsOf: folder.appendingPathComponent("CT_0001.dcm"))
        #expect(first.transferSyntax == (option == "+tb" ? .explicitVRBigEndian : .implicitVRLittleEndian))
        #expect(first.dataSet.string("PatientName") == "Müller^Jörg")  // ISO_IR 100 text survives
        let (back, _) = try CTSeriesReader.read(directory: folder)
        #expect(back.huValues == v.huValues && back.originMM == v.originMM && back.patientPosition == .feetFirstSupine)
    }

    @Test("RT Dose re-encoded by dcmconv as Explicit VR Big Endian: 32-bit pixels read back")
    func doseBigEndian() throws {
        let folder = try TestEnvironment.makeScratchDirectory("dcmconv-dose")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("RD.dcm")
        let refs = RTDoseWriter.References(
            studyInstanceUID: "1.2.3", frameOfReferenceUID: "1.2.3.4", planSOPInstanceUID: "1.2.3.5",
            patient: PatientIdentity())
        try RTDoseWriter.write(
            grid: RTDoseWriterTests.grid, doseGy: RTDoseWriterTests.dose, summation: .plan, references: refs, to: url)
        let little = try DoseVolume(contentsOf: url)
        let out = try Self.dcmtk("dcmconv", ["+tb", url.path, url.path])
        try #require(out.status == 0, Comment(rawValue: out.standardError))
        let big = try DoseVolume(contentsOf: url)
        #expect(try DICOMFile.read(contentsOf: url).transferSyntax == .explicitVRBigEndian)
        #expect(big.values == little.values && big.originMM == little.originMM)
    }

    @Test(
        "DCMTK-compressed CT (RLE, JPEG Lossless, JPEG-LS) reads as the original, and so does DCMTK's decompression",
        arguments: [("dcmcrle", [String](), "dcmdrle"), ("dcmcjpeg", ["+e1"], "dcmdjpeg"), ("dcmcjpls", [], "dcmdjpls")])
    func compressed(tool: String, options: [String], decompressor: String) throws {
        let folder = try TestEnvironment.makeScratchDirectory("dcmc")
        defer { try? FileManager.default.removeItem(at: folder) }
        let v = try Self.series(in: folder)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let url = folder.appendingPathComponent(name)
            let out = try Self.dcmtk(tool, options + [url.path, url.path])
            try #require(out.status == 0, Comment(rawValue: out.standardError))
        }
        #expect(try CTSeriesReader.read(directory: folder).volume.huValues == v.huValues)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let url = folder.appendingPathComponent(name)
            let out = try Self.dcmtk(decompressor, [url.path, url.path])
            try #require(out.status == 0, Comment(rawValue: out.standardError))
        }
        #expect(try CTSeriesReader.read(directory: folder).volume.huValues == v.huValues)
    }
}
