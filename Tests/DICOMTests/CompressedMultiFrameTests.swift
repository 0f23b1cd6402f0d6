import Foundation
import Geometry
import TestSupport
import Testing

@testable import DICOM

/// Multi-frame compressed pixel data: frames found through the Basic Offset Table, through the start of each
/// JPEG stream when the table is empty and frames span several fragments, and through the Extended Offset
/// Table (7FE0,0001) — checked on a 16-bit RT Dose compressed by DCMTK (and re-encapsulated by pydicom).
@Suite("Compressed multi-frame pixel data: offset tables and fragments")
struct CompressedMultiFrameTests {
    static let grid = VoxelGrid(counts: (61, 47, 6), originCM: Vec3(-3, -2, 10), spacingCM: Vec3(0.25, 0.4, 0.3))

    /// A 16-bit unsigned dose of 6 frames of seeded noise (each frame compresses to more than 1 KiB).
    static func nativeDose(in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("native.dcm")
        let refs = RTDoseWriter.References(
            studyInstanceUID: "1.2.3", frameOfReferenceUID: "1.2.3.4", planSOPInstanceUID: "1.2.3.5",
            patient: PatientIdentity())
        var d = try RTDoseWriter.dataSet(
            grid: grid, doseGy: Array(repeating: 1, count: grid.voxelCount), summation: .plan, references: refs)
        var random = SplitMix64(state: 5)
        let pixels = (0..<grid.voxelCount).flatMap { _ -> [UInt8] in
            let v = UInt16(truncatingIfNeeded: random.next())
            return [UInt8(v & 0xFF), UInt8(v >> 8)]
        }
        d.set("BitsAllocated", uint16: [16])
        d.set("BitsStored", uint16: [16])
        d.set("HighBit", uint16: [15])
        d.set("DoseGridScaling", decimals: [0.001])
        d.set("PixelData", vr: .OW, bytes: pixels)
        try DataSetWriter.write(d, to: url)
        return url
    }

    @Test("JPEG Lossless and JPEG-LS, 1 KiB fragments, with and without a Basic Offset Table", arguments: [
        ("dcmcjpeg", ["+e1", "+fs", "1"]), ("dcmcjpeg", ["+e1", "+fs", "1", "-ot"]),
        ("dcmcjpls", ["+fs", "1", "-ot"]), ("dcmcrle", ["-ot"]),
    ])
    func offsetTables(tool: String, options: [String]) throws {
        let folder = try TestEnvironment.makeScratchDirectory("multiframe")
        defer { try? FileManager.default.removeItem(at: folder) }
        let native = try Self.nativeDose(in: folder)
        let compressed = folder.appendingPathComponent("compressed.dcm")
        let out = try runProgram(
            URL(fileURLWithPath: "/usr/bin/\(tool)"), options + [native.path, compressed.path], timeout: .seconds(60))
        try #require(out.status == 0, Comment(rawValue: out.standardError))
        let reference = try DoseVolume(contentsOf: native)
        let decoded = try DoseVolume(contentsOf: compressed)
        #expect(decoded.counts == reference.counts && decoded.values == reference.values)
    }

    @Test("frames located through the Extended Offset Table (pydicom's encapsulate_extended)")
    func extendedOffsetTable() throws {
        let folder = try TestEnvironment.makeScratchDirectory("multiframe-eot")
        defer { try? FileManager.default.removeItem(at: folder) }
        let native = try Self.nativeDose(in: folder)
        let compressed = folder.appendingPathComponent("compressed.dcm")
        let extended = folder.appendingPathComponent("extended.dcm")
        let out = try runProgram(
            URL(fileURLWithPath: "/usr/bin/dcmcjpeg"), ["+e1", native.path, compressed.path], timeout: .seconds(60))
        try #require(out.status == 0, Comment(rawValue: out.standardError))
        let script = """
            import sys, pydicom
            from pydicom.encaps import generate_pixel_data_frame, encapsulate_extended
            ds = pydicom.dcmread(sys.argv[1])
            frames = list(generate_pixel_data_frame(ds.PixelData, int(ds.NumberOfFrames)))
            ds.PixelData, ds.ExtendedOffsetTable, ds.ExtendedOffsetTableLengths = encapsulate_extended(frames)
            ds.save_as(sys.argv[2])
            """
        let python = try runPython(script, arguments: [compressed.path, extended.path])
        try #require(python.status == 0, Comment(rawValue: python.standardError))
        let file = try DICOMFile.read(contentsOf: extended)
        #expect(file.dataSet[Tag(0x7FE0, 0x0001)] != nil)
        #expect(try DoseVolume(contentsOf: extended).values == (try DoseVolume(contentsOf: native)).values)
    }
}
