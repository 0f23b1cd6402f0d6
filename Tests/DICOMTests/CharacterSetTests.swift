import Foundation
import TestSupport
import Testing

@testable import DICOM

/// The single-byte character sets of PS3.3 Table C.12-2 decode as DCMTK decodes them: a file in each set is
/// converted to UTF-8 by `dcmconv --convert-to-utf8` (DCMTK's own converter), and both files must read to
/// the same text. The tables come from another source (tools/generate-character-set-tables.py).
@Suite("Single-byte character sets against DCMTK's conversion to UTF-8")
struct CharacterSetTests {
    static let comments = Tag(0x0020, 0x4000)  // Image Comments, LT

    @Test("every character of the set reads as DCMTK converts it", arguments: SingleByteCharacterSet.allCases)
    func againstDCMTK(set: SingleByteCharacterSet) throws {
        let folder = try TestEnvironment.makeScratchDirectory("charset")
        defer { try? FileManager.default.removeItem(at: folder) }
        // "Ab " and every byte 0xA0–0xFF the set defines.
        let bytes: [UInt8] =
            [0x41, 0x62, 0x20] + (0xA0...0xFF).map(UInt8.init).filter { set.upperHalf[Int($0) - 0xA0] != 0xFFFD }
        var d = DataSet()
        d.set("SOPClassUID", CTSeriesReader.ctImageStorage)
        d.set("SOPInstanceUID", "1.2.3.4")
        d.set("SpecificCharacterSet", set.definedTerm)
        d[Self.comments] = DataElement(tag: Self.comments, vr: .LT, value: .bytes(bytes.count % 2 == 0 ? bytes : bytes + [0x20]))
        let original = folder.appendingPathComponent("original.dcm"), utf8 = folder.appendingPathComponent("utf8.dcm")
        try DataSetWriter.write(d, to: original)
        let out = try runProgram(
            URL(fileURLWithPath: "/usr/bin/dcmconv"), ["--convert-to-utf8", original.path, utf8.path],
            timeout: .seconds(60))
        try #require(out.status == 0, Comment(rawValue: out.standardError))
        let converted = try DICOMFile.read(contentsOf: utf8).dataSet
        #expect(converted.string("SpecificCharacterSet") == "ISO_IR 192")
        let ours = try DICOMFile.read(contentsOf: original).dataSet.string(Self.comments)
        #expect(ours == converted.string(Self.comments))
        #expect(ours?.unicodeScalars.count == bytes.count)
        // Writing back in the set gives the original bytes.
        #expect(DICOMCharacterSet.singleByte(set).encode(ours ?? "") == bytes)
    }

    @Test("ISO 2022 code extensions with one set: escape sequences are dropped")
    func codeExtensions() throws {
        var d = DataSet()
        d.set("SpecificCharacterSet", "ISO 2022 IR 6\\ISO 2022 IR 144")
        // ESC - L designates ISO 8859-5 as G1 (PS3.3 Table C.12-3); 0xB0 is Cyrillic capital A (U+0410).
        d[Self.comments] = DataElement(tag: Self.comments, vr: .LT, value: .bytes([0x1B, 0x2D, 0x4C, 0xB0, 0x42]))
        let back = try DICOMFile.parse(DataSetWriter.fileBytes(d)).dataSet
        #expect(back.string(Self.comments) == "\u{0410}B")
    }
}
