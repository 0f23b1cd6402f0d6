import Foundation
import TestSupport
import Testing

@testable import DICOM

/// A real CT (pydicom's `CT_small.dcm`) compressed by DCMTK reads as pydicom reads the original, and damaged
/// compressed data gives a typed error naming the file and what is wrong — never a crash.
@Suite("Compressed pixel data: a real CT, damage and refusals")
struct CompressedPixelDataErrorTests {
    static var ctSmall: URL { TestFiles.url("pydicom/CT_small.dcm") }

    /// Compresses pydicom's CT with a DCMTK tool into a scratch folder; returns the folder and the file.
    static func compressed(_ tool: String, _ options: [String]) throws -> (folder: URL, file: URL) {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let folder = try TestEnvironment.makeScratchDirectory("compressed-ct")
        let file = folder.appendingPathComponent("CT.dcm")
        let out = try runProgram(
            URL(fileURLWithPath: "/usr/bin/\(tool)"), options + [ctSmall.path, file.path], timeout: .seconds(60))
        try #require(out.status == 0, Comment(rawValue: out.standardError))
        return (folder, file)
    }

    static func stored(_ url: URL) throws -> [Int16] {
        let header = try DICOMFile.read(contentsOf: url, stopBeforePixelData: true)
        let bytes = try header.readPixelData(contentsOf: url)
        return stride(from: 0, to: bytes.count, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
    }

    @Test("CT_small compressed by DCMTK reads to pydicom's pixels of the original", arguments: [
        ("dcmcjpeg", ["+e1"]), ("dcmcjpeg", ["+el", "+sv", "6"]), ("dcmcjpeg", ["+el", "+sv", "7", "+fs", "1", "-ot"]),
        ("dcmcjpls", []), ("dcmcrle", []),
    ])
    func realCT(tool: String, options: [String]) throws {
        let (folder, file) = try Self.compressed(tool, options)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ours = try Self.stored(file)
        let out = try runPython(
            "import sys, pydicom; a = pydicom.dcmread(sys.argv[1]).pixel_array.astype('int64').ravel(); print(' '.join(map(str, a)))",
            arguments: [Self.ctSmall.path])
        let reference = out.standardOutput.split(separator: " ").map {
            Int16($0.trimmingCharacters(in: .whitespacesAndNewlines))!
        }
        #expect(ours.count == 128 * 128 && ours == reference)
        // The full read (DICOMFile.parse, as for RT Dose) decodes in place to the same pixels.
        let whole = try DICOMFile.read(contentsOf: file).dataSet.bytes(Tag(0x7FE0, 0x0010))!
        #expect(whole == (try DICOMFile.read(contentsOf: Self.ctSmall).dataSet.bytes(Tag(0x7FE0, 0x0010))!))
    }

    /// Replaces the slice with damaged bytes and expects the CT reader's error.
    static func expectError(
        _ folder: URL, _ file: URL, _ bytes: [UInt8], kinds: [DICOMError.Kind], saying words: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try Data(bytes).write(to: file)
        do {
            _ = try CTSeriesReader.read(directory: folder)
            Issue.record("damaged data was accepted", sourceLocation: sourceLocation)
        } catch let e as DICOMError {
            #expect(kinds.contains(e.kind), "\(e)", sourceLocation: sourceLocation)
            #expect(e.description.contains(file.path), "\(e)", sourceLocation: sourceLocation)
            #expect(e.description.lowercased().contains(words.lowercased()), "\(e)", sourceLocation: sourceLocation)
        }
    }

    /// Where the first fragment's bytes start in the file.
    static func firstFragment(_ file: URL, _ bytes: [UInt8]) throws -> Range<Int> {
        let header = try DICOMFile.read(contentsOf: file, stopBeforePixelData: true)
        let start = try #require(header.pixelDataRange).lowerBound
        let (items, _) = try EncapsulatedPixelData.parse(bytes, start: start)
        let fragment = items.fragments[0].bytes
        return fragment.startIndex..<fragment.endIndex
    }

    @Test("JPEG: truncated fragment, bad Huffman code, missing SOF, wrong size — typed errors naming the file")
    func damagedJPEG() throws {
        let (folder, file) = try Self.compressed("dcmcjpeg", ["+e1"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = [UInt8](try Data(contentsOf: file))
        let fragment = try Self.firstFragment(file, good)

        // The file cut inside the fragment.
        try Self.expectError(
            folder, file, Array(good[..<(fragment.lowerBound + fragment.count / 2)]), kinds: [.truncated],
            saying: "truncated")
        // A fragment whose JPEG stream stops half-way (the item lengths made consistent again).
        var short = good
        let cut = fragment.count / 2 & ~1
        short.removeSubrange((fragment.lowerBound + cut)..<fragment.upperBound)
        let itemLength = UInt32(cut)
        for k in 0..<4 { short[fragment.lowerBound - 4 + k] = UInt8(truncatingIfNeeded: itemLength >> (8 * UInt32(k))) }
        try Self.expectError(folder, file, short, kinds: [.corruptPixelData], saying: "before all")
        // Scan data replaced by 1-bits (FF 00 is a stuffed 0xFF): DCMTK's tables leave the all-ones code unused.
        var ones = good
        let middle = fragment.lowerBound + fragment.count / 2 & ~1
        for k in stride(from: middle, to: middle + 64, by: 2) {
            ones[k] = 0xFF
            ones[k + 1] = 0x00
        }
        try Self.expectError(folder, file, ones, kinds: [.corruptPixelData], saying: "Huffman code")
        // SOF3 marker turned into a comment: the scan comes without its frame header.
        var noFrame = good
        let sof = try #require(
            (fragment.lowerBound..<(fragment.upperBound - 1)).first { good[$0] == 0xFF && good[$0 + 1] == 0xC3 })
        noFrame[sof + 1] = 0xFE
        try Self.expectError(folder, file, noFrame, kinds: [.corruptPixelData], saying: "frame header")
        // A JPEG frame of 100 columns where the header says 128 (SOF3: length, P, Y, then X at +7).
        let sofColumns = sof + 7
        var wide = good
        wide[sofColumns] = 0
        wide[sofColumns + 1] = 100
        try Self.expectError(folder, file, wide, kinds: [.corruptPixelData], saying: "Columns")
    }

    @Test("RLE: truncated segment and wrong segment count — typed errors naming the file")
    func damagedRLE() throws {
        let (folder, file) = try Self.compressed("dcmcrle", [])
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = [UInt8](try Data(contentsOf: file))
        let fragment = try Self.firstFragment(file, good)
        var count = good
        count[fragment.lowerBound] = 3
        try Self.expectError(folder, file, count, kinds: [.corruptPixelData], saying: "segments")
        var short = good
        let cut = (fragment.count * 3 / 4) & ~1
        short.removeSubrange((fragment.lowerBound + cut)..<fragment.upperBound)
        for k in 0..<4 { short[fragment.lowerBound - 4 + k] = UInt8(truncatingIfNeeded: UInt32(cut) >> (8 * UInt32(k))) }
        try Self.expectError(folder, file, short, kinds: [.corruptPixelData], saying: "truncated or corrupt")
    }

    /// Seeded fuzz: truncations and bit flips anywhere in the compressed pixel data end in pixels or a
    /// `DICOMError`, never a trap (a trap would end the test process).
    @Test("fuzz: 200 truncations and bit flips of JPEG, JPEG-LS and RLE pixel data never crash",
          arguments: ["dcmcjpeg", "dcmcjpls", "dcmcrle"])
    func fuzz(tool: String) throws {
        let (folder, file) = try Self.compressed(tool, tool == "dcmcjpeg" ? ["+e1", "+fs", "2"] : [])
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.fuzz(file, seed: UInt64(tool.count * 7 + Int(tool.utf8.last!)))
    }

    /// The same on streams with restart intervals: JPEG-LS every 3 lines, JPEG Lossless every 50 samples (inside lines).
    @Test(
        "fuzz: 200 truncations and bit flips of JPEG-LS and JPEG Lossless pixel data with restart intervals never crash",
        arguments: [["encode-jpeg-ls-restarts.py", "3"], ["encode-jpeg-lossless.py", "4", "50s"]])
    func fuzzRestartIntervals(tool: [String]) throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let folder = try TestEnvironment.makeScratchDirectory("restart-fuzz")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("CT.dcm")
        let script = TestEnvironment.packageRoot.appendingPathComponent("tools/\(tool[0])").path
        let out = try runProgram(
            TestEnvironment.python, [script, Self.ctSmall.path, file.path] + tool.dropFirst(), timeout: .seconds(120))
        try #require(out.status == 0, Comment(rawValue: out.standardError))
        try Self.fuzz(file, seed: UInt64(tool[0].count))
    }

    static func fuzz(_ file: URL, seed: UInt64) throws {
        let good = [UInt8](try Data(contentsOf: file))
        let start = try #require(try DICOMFile.read(contentsOf: file, stopBeforePixelData: true).pixelDataRange)
            .lowerBound
        var random = SplitMix64(state: seed)
        var errors = 0
        for trial in 0..<200 {
            var bytes = good
            if trial % 3 == 0 {
                bytes.removeLast(1 + Int(random.next() % UInt64(good.count - start)))
            } else {
                for _ in 0...(trial % 4) {
                    let at = start + Int(random.next() % UInt64(good.count - start))
                    bytes[at] ^= 1 << UInt8(random.next() % 8)
                }
            }
            do {
                _ = try DICOMFile.parse(bytes)
            } catch is DICOMError {
                errors += 1
            }
        }
        #expect(errors > 60)  // every truncation at least must be refused
    }

    @Test("lossy JPEG (dcmcjpeg +ee) is refused naming the syntax and the DCMTK tool")
    func lossyRefused() throws {
        let (folder, file) = try Self.compressed("dcmcjpeg", ["+ee"])
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try CTSeriesReader.read(directory: folder)
            Issue.record("lossy JPEG was accepted")
        } catch let e as DICOMError {
            #expect(e.kind == .unsupportedTransferSyntax)
            #expect(e.description.contains("1.2.840.10008.1.2.4.51") && e.description.contains("dcmdjpeg"))
            #expect(e.description.contains(file.path))
        }
    }
}

/// An Icon Image Sequence inside a compressed image holds encapsulated pixels too (PS3.5 §8.2).
@Suite("Compressed CT with an encapsulated icon image")
struct CompressedIconTests {
    @Test("the icon's encapsulated pixels are stepped over; the image decodes")
    func icon() throws {
        let (folder, file) = try CompressedPixelDataErrorTests.compressed("dcmcjpeg", ["+e1"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = """
            import sys, pydicom
            from pydicom.dataset import Dataset
            from pydicom.encaps import encapsulate
            ds = pydicom.dcmread(sys.argv[1])
            icon = Dataset()
            icon.Rows, icon.Columns, icon.BitsAllocated, icon.BitsStored, icon.HighBit = 2, 2, 8, 8, 7
            icon.SamplesPerPixel, icon.PhotometricInterpretation, icon.PixelRepresentation = 1, "MONOCHROME2", 0
            icon.PixelData = encapsulate([b"\\xff\\xd8 not decoded \\xff\\xd9"])
            icon["PixelData"].VR = "OB"
            icon["PixelData"].is_undefined_length = True
            ds.IconImageSequence = [icon]
            ds.save_as(sys.argv[1])
            """
        let out = try runPython(script, arguments: [file.path])
        try #require(out.status == 0, Comment(rawValue: out.standardError))
        let header = try DICOMFile.read(contentsOf: file, stopBeforePixelData: true)
        #expect(header.dataSet[Tag(0x0088, 0x0200)]?.items?.count == 1)  // Icon Image Sequence
        #expect(try CompressedPixelDataErrorTests.stored(file) == CompressedPixelDataErrorTests.stored(
            CompressedPixelDataErrorTests.ctSmall))
    }
}
