import Foundation
import Geometry
import TestSupport
import Testing

@testable import DICOM

/// CT compressed by real encoders — DCMTK's `dcmcjpeg` (JPEG Lossless Process 14), `dcmcjpls` (JPEG-LS
/// Lossless) and `dcmcrle` (RLE Lossless) — reads to exactly the pixels of the uncompressed original and of DCMTK's own decoding.
@Suite("Compressed CT: JPEG Lossless and RLE against DCMTK")
struct CompressedCTTests {
    /// How the stored pixels are represented.
    struct Format: CustomStringConvertible, Sendable {
        var signed: Bool
        var bitsStored: Int
        var bitsAllocated = 16
        var description: String { "\(signed ? "signed" : "unsigned") \(bitsStored)/\(bitsAllocated)-bit" }
    }

    static let dcmtk = URL(fileURLWithPath: "/usr/bin")

    /// A small CT series (odd width) whose stored values are seeded noise over a CT-like ramp, reaching the
    /// format's extremes (so the JPEG difference categories up to 16 and RLE literal and replicate runs
    /// all occur).
    static func series(_ format: Format, nx: Int = 37, ny: Int = 23, nz: Int = 2) throws -> URL {
        let v = CTSeriesCheckTests.volume(nx: nx, ny: ny, nz: nz)
        let folder = try CTSeriesCheckTests.write(v)
        let low = format.signed ? -(1 << (format.bitsStored - 1)) : 0
        let high = format.signed ? (1 << (format.bitsStored - 1)) - 1 : (1 << format.bitsStored) - 1
        try CTSeriesCheckTests.edit(folder) { d, k in
            var random = SplitMix64(state: UInt64(100 + k))
            var pixels: [UInt8] = []
            for n in 0..<(nx * ny) {
                let value: Int
                switch random.next() % 16 {
                case 0: value = low
                case 1: value = high
                case 2, 3: value = low + Int(random.next() % UInt64(high - low + 1))
                default: value = min(high, max(low, low / 2 + high / 4 + (n % nx) * 7 + Int(random.next() % 9)))
                }
                let bits = UInt32(bitPattern: Int32(value))
                for b in 0..<(format.bitsAllocated / 8) { pixels.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(b)))) }
            }
            d.set("PixelData", vr: format.bitsAllocated == 8 ? .OB : .OW, bytes: pixels)
            d.set("BitsAllocated", uint16: [UInt16(format.bitsAllocated)])
            d.set("BitsStored", uint16: [UInt16(format.bitsStored)])
            d.set("HighBit", uint16: [UInt16(format.bitsStored - 1)])
            d.set("PixelRepresentation", uint16: [format.signed ? 1 : 0])
            d.set("RescaleIntercept", decimals: [format.signed ? 0 : -1024])
        }
        return folder
    }

    /// Runs a DCMTK tool (or another program) on every slice of a folder into a new folder.
    static func convert(_ folder: URL, _ tool: String, _ options: [String], label: String) throws -> URL {
        let out = try TestEnvironment.makeScratchDirectory(label)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
            let result = try runProgram(
                dcmtk.appendingPathComponent(tool),
                options + [folder.appendingPathComponent(name).path, out.appendingPathComponent(name).path],
                timeout: .seconds(60))
            try #require(result.status == 0, Comment(rawValue: "\(tool) \(options): \(result.standardError)"))
        }
        return out
    }

    static func transferSyntax(_ folder: URL) throws -> String? {
        let name = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()[0]
        return try DICOMFile.read(contentsOf: folder.appendingPathComponent(name), stopBeforePixelData: true).meta
            .string(Tag(0x0002, 0x0010))
    }

    /// Compresses, reads, and compares with the original and with DCMTK's decompression of the same files.
    static func check(_ format: Format, tool: String, options: [String], syntax: String, lossless: Bool = true)
        throws
    {
        let original = try series(format)
        let compressed = try convert(original, tool, options, label: "compressed")
        let decompressor = ["dcmcrle": "dcmdrle", "dcmcjpls": "dcmdjpls"][tool] ?? "dcmdjpeg"
        let dcmtkDecoded = try convert(compressed, decompressor, [], label: "dcmtk-decoded")
        defer { for f in [original, compressed, dcmtkDecoded] { try? FileManager.default.removeItem(at: f) } }
        #expect(try transferSyntax(compressed) == syntax)
        let ours = try CTSeriesReader.read(directory: compressed).volume.huValues
        #expect(ours == (try CTSeriesReader.read(directory: dcmtkDecoded).volume.huValues))
        if lossless {
            #expect(ours == (try CTSeriesReader.read(directory: original).volume.huValues))
        }
    }

    static let formats = [
        Format(signed: true, bitsStored: 16), Format(signed: false, bitsStored: 16),
        Format(signed: false, bitsStored: 12), Format(signed: true, bitsStored: 12),
    ]

    @Test("JPEG Lossless SV1 (dcmcjpeg +e1), one fragment per frame with offset table", arguments: formats)
    func jpegSV1(format: Format) throws {
        try Self.check(format, tool: "dcmcjpeg", options: ["+e1"], syntax: "1.2.840.10008.1.2.4.70")
    }

    @Test("JPEG Lossless Process 14, every predictor (dcmcjpeg +el +sv N)", arguments: 1...7)
    func jpegPredictors(predictor: Int) throws {
        try Self.check(
            Format(signed: true, bitsStored: 16), tool: "dcmcjpeg", options: ["+el", "+sv", "\(predictor)"],
            syntax: "1.2.840.10008.1.2.4.57")
        try Self.check(
            Format(signed: false, bitsStored: 12), tool: "dcmcjpeg", options: ["+el", "+sv", "\(predictor)"],
            syntax: "1.2.840.10008.1.2.4.57")
    }

    @Test("JPEG Lossless in 1 KiB fragments with an empty offset table (dcmcjpeg +fs 1 -ot)")
    func jpegFragments() throws {
        try Self.check(
            Format(signed: true, bitsStored: 16), tool: "dcmcjpeg", options: ["+e1", "+fs", "1", "-ot"],
            syntax: "1.2.840.10008.1.2.4.70")
    }

    @Test("JPEG Lossless with a point transform equals DCMTK's decoding (dcmcjpeg +el +pt 3)")
    func jpegPointTransform() throws {
        try Self.check(
            Format(signed: false, bitsStored: 12), tool: "dcmcjpeg", options: ["+el", "+sv", "4", "+pt", "3"],
            syntax: "1.2.840.10008.1.2.4.57", lossless: false)
    }

    @Test("JPEG-LS Lossless (dcmcjpls), default and preset thresholds, fragments", arguments: formats)
    func jpegLS(format: Format) throws {
        try Self.check(format, tool: "dcmcjpls", options: [], syntax: "1.2.840.10008.1.2.4.80")
        try Self.check(
            format, tool: "dcmcjpls", options: ["+t1", "2", "+t2", "5", "+t3", "12", "+rs", "32", "+fs", "1", "-ot"],
            syntax: "1.2.840.10008.1.2.4.80")
    }

    @Test("RLE Lossless (dcmcrle), 16-bit signed and unsigned, 12-bit, 8-bit", arguments: formats + [
        Format(signed: false, bitsStored: 8, bitsAllocated: 8)
    ])
    func rle(format: Format) throws {
        try Self.check(format, tool: "dcmcrle", options: [], syntax: "1.2.840.10008.1.2.5")
    }

    @Test("RLE Lossless in 1 KiB fragments with an empty offset table (dcmcrle +fs 1 -ot)")
    func rleFragments() throws {
        try Self.check(
            Format(signed: true, bitsStored: 16), tool: "dcmcrle", options: ["+fs", "1", "-ot"],
            syntax: "1.2.840.10008.1.2.5")
    }

    /// DCMTK's encoder never writes restart intervals; tools/encode-jpeg-lossless.py does (T.81 Annex H), and
    /// DCMTK's decoder is the referee that its streams are valid.
    @Test("JPEG Lossless with restart intervals (validated by dcmdjpeg)", arguments: [(1, 1), (1, 4), (6, 2), (7, 5)])
    func restartIntervals(predictor: Int, lines: Int) throws {
        let original = try Self.series(Format(signed: true, bitsStored: 16))
        let encoded = try TestEnvironment.makeScratchDirectory("restart")
        let script = TestEnvironment.packageRoot.appendingPathComponent("tools/encode-jpeg-lossless.py").path
        for name in try FileManager.default.contentsOfDirectory(atPath: original.path) {
            let out = try runProgram(
                TestEnvironment.python,
                [script, original.appendingPathComponent(name).path, encoded.appendingPathComponent(name).path,
                 "\(predictor)", "\(lines)"], timeout: .seconds(120))
            try #require(out.status == 0, Comment(rawValue: out.standardError))
        }
        let dcmtkDecoded = try Self.convert(encoded, "dcmdjpeg", [], label: "dcmtk-decoded")
        defer { for f in [original, encoded, dcmtkDecoded] { try? FileManager.default.removeItem(at: f) } }
        let reference = try CTSeriesReader.read(directory: original).volume.huValues
        try #require(try CTSeriesReader.read(directory: dcmtkDecoded).volume.huValues == reference)
        #expect(try CTSeriesReader.read(directory: encoded).volume.huValues == reference)
    }

    /// Restart intervals that start inside a line (Ri not a multiple of the 37 samples per line), predicted as
    /// T.81 §H.1.2.1 says (tools/encode-jpeg-lossless.py). No decoder at hand referees them: DCMTK's dcmdjpeg (like
    /// libjpeg-turbo) refuses such intervals — checked here, so that a DCMTK that decodes them becomes the referee.
    @Test(
        "JPEG Lossless with restart intervals inside lines (H.1.2.1's reading; DCMTK refuses them)",
        arguments: [(1, 17), (4, 50), (7, 5), (6, 80)])
    func partialLineRestartIntervals(predictor: Int, samples: Int) throws {
        let original = try Self.series(Format(signed: true, bitsStored: 16))
        let encoded = try TestEnvironment.makeScratchDirectory("restart-samples")
        defer { for f in [original, encoded] { try? FileManager.default.removeItem(at: f) } }
        let script = TestEnvironment.packageRoot.appendingPathComponent("tools/encode-jpeg-lossless.py").path
        let names = try FileManager.default.contentsOfDirectory(atPath: original.path).sorted()
        for name in names {
            let out = try runProgram(
                TestEnvironment.python,
                [script, original.appendingPathComponent(name).path, encoded.appendingPathComponent(name).path,
                 "\(predictor)", "\(samples)s"], timeout: .seconds(120))
            try #require(out.status == 0, Comment(rawValue: out.standardError))
        }
        #expect(
            try CTSeriesReader.read(directory: encoded).volume.huValues
                == (try CTSeriesReader.read(directory: original).volume.huValues))
        let scratch = try TestEnvironment.makeScratchDirectory("dcmdjpeg")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let dcmtk = try runProgram(
            Self.dcmtk.appendingPathComponent("dcmdjpeg"),
            [encoded.appendingPathComponent(names[0]).path, scratch.appendingPathComponent("out.dcm").path],
            timeout: .seconds(60))
        #expect(dcmtk.status != 0 && dcmtk.standardError.contains("integer multiple"), Comment(rawValue: dcmtk.standardError))
    }

    /// No encoder at hand writes JPEG-LS restart intervals; tools/encode-jpeg-ls-restarts.py joins intervals that
    /// CharLS coded alone and checks that CharLS decodes the joined stream to the original (the referee).
    @Test(
        "JPEG-LS with restart intervals (validated by CharLS)",
        arguments: [(Format(signed: true, bitsStored: 16), 1), (Format(signed: false, bitsStored: 12), 4), (Format(signed: true, bitsStored: 12), 5), (Format(signed: false, bitsStored: 16), 40)])
    func jpegLSRestartIntervals(format: Format, lines: Int) throws {
        let original = try Self.series(format)
        let encoded = try TestEnvironment.makeScratchDirectory("restart-ls")
        defer { for f in [original, encoded] { try? FileManager.default.removeItem(at: f) } }
        let script = TestEnvironment.packageRoot.appendingPathComponent("tools/encode-jpeg-ls-restarts.py").path
        for name in try FileManager.default.contentsOfDirectory(atPath: original.path) {
            let out = try runProgram(
                TestEnvironment.python,
                [script, original.appendingPathComponent(name).path, encoded.appendingPathComponent(name).path, "\(lines)"],
                timeout: .seconds(120))
            try #require(out.status == 0, Comment(rawValue: out.standardError))
        }
        #expect(try Self.transferSyntax(encoded) == "1.2.840.10008.1.2.4.80")
        #expect(
            try CTSeriesReader.read(directory: encoded).volume.huValues
                == (try CTSeriesReader.read(directory: original).volume.huValues))
        guard lines < 23 else { return }
        // RST0 changed into RST3: a typed error naming the marker, not pixels decoded against the wrong interval.
        let slice = encoded.appendingPathComponent(try FileManager.default.contentsOfDirectory(atPath: encoded.path).sorted()[0])
        var bytes = [UInt8](try Data(contentsOf: slice))
        let at = try #require((0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xD0 })
        bytes[at + 1] = 0xD3
        try Data(bytes).write(to: slice)
        #expect {
            try CTSeriesReader.read(directory: encoded)
        } throws: { error in
            (error as? DICOMError)?.kind == .corruptPixelData && "\(error)".contains("RST0")
        }
    }

    @Test("pydicom's RLE RT Dose (32-bit, multi-frame) equals its uncompressed twin")
    func rleDose() throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let rle = try DoseVolume(contentsOf: TestFiles.url("pydicom/rtdose_rle.dcm"))
        let native = try DoseVolume(contentsOf: TestFiles.url("pydicom/rtdose.dcm"))
        #expect(rle.counts == native.counts && rle.values == native.values)
    }
}
