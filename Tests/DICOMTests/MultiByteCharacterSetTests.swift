import Foundation
import TestSupport
import Testing

@testable import DICOM

/// The multi-byte character sets (PS3.3 Tables C.12-4 and C.12-5) on the examples of PS3.5 Annexes H (Japanese),
/// I (Korean) and J (Chinese) and on cases the annexes leave out: each value is written into a file by pydicom,
/// and Penumbra must read the text the standard gives, the text pydicom decodes and the text DCMTK's
/// `dcmconv --convert-to-utf8` writes — where each of them gets it right: DCMTK here converts through glibc's
/// iconv, which has no JIS X 0208/0212 (ISO 2022 IR 87, 159), and pydicom 2.4.4 leaves the escape sequences
/// of ISO 2022 IR 58 in its text.
@Suite("Multi-byte character sets: PS3.5 Annex H/I/J against pydicom and DCMTK")
struct MultiByteCharacterSetTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let charset: [String]
        let vr: VR
        let bytes: [UInt8]
        /// The text the standard (or the character set's definition) gives, values joined by backslashes.
        let expected: String
        let values: Int
        let pydicomAgrees: Bool
        let dcmtkConverts: Bool
        /// glibc's iconv encoding that reads the value's bytes as they are, where one does: a third decoder, and the
        /// only one besides pydicom for JIS X 0208/0212.
        var iconv: String? = nil
        var description: String { name }
        var tag: DICOM.Tag { vr == .PN ? Tag(0x0010, 0x0010) : vr == .LT ? Tag(0x0020, 0x4000) : Tag(0x0008, 0x1030) }
    }

    static let esc: UInt8 = 0x1B
    static func ascii(_ s: String) -> [UInt8] { Array(s.utf8) }
    // Escape sequences of PS3.3 Tables C.12-3 and C.12-4.
    static let jisX0208 = [esc] + ascii("$B"), toASCII = [esc] + ascii("(B"), toRomaji = [esc] + ascii("(J")
    static let ksX1001 = [esc] + ascii("$)C"), gb2312 = [esc] + ascii("$)A")

    static let cases: [Case] = [
        // PS3.5 Annex H.3.1: JIS X 0208 in G0 beside ASCII.
        Case(
            name: "H.3.1", charset: ["", "ISO 2022 IR 87"], vr: .PN,
            bytes: ascii("Yamada^Tarou=") + jisX0208 + [0x3B, 0x33, 0x45, 0x44] + toASCII + ascii("^") + jisX0208
                + [0x42, 0x40, 0x4F, 0x3A] + toASCII + ascii("=") + jisX0208 + [0x24, 0x64, 0x24, 0x5E, 0x24, 0x40]
                + toASCII + ascii("^") + jisX0208 + [0x24, 0x3F, 0x24, 0x6D, 0x24, 0x26] + toASCII,
            expected: "Yamada^Tarou=山田^太郎=やまだ^たろう", values: 1, pydicomAgrees: true, dcmtkConverts: false, iconv: "ISO-2022-JP"),
        // PS3.5 Annex H.3.2: JIS X 0201 Katakana in G1 and Romaji in G0 as value 1, JIS X 0208 switched in.
        Case(
            name: "H.3.2", charset: ["ISO 2022 IR 13", "ISO 2022 IR 87"], vr: .PN,
            bytes: [0xD4, 0xCF, 0xC0, 0xDE] + ascii("^") + [0xC0, 0xDB, 0xB3] + ascii("=") + jisX0208
                + [0x3B, 0x33, 0x45, 0x44] + toRomaji + ascii("^") + jisX0208 + [0x42, 0x40, 0x4F, 0x3A] + toRomaji
                + ascii("=") + jisX0208 + [0x24, 0x64, 0x24, 0x5E, 0x24, 0x40] + toRomaji + ascii("^") + jisX0208
                + [0x24, 0x3F, 0x24, 0x6D, 0x24, 0x26] + toRomaji,
            expected: "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", values: 1, pydicomAgrees: true, dcmtkConverts: false),
        // ISO_IR 13 without code extensions: JIS X 0201 alone.
        Case(
            name: "ISO_IR 13", charset: ["ISO_IR 13"], vr: .PN, bytes: [0xD4, 0xCF, 0xC0, 0xDE] + ascii("^") + [0xC0, 0xDB, 0xB3],
            expected: "ﾔﾏﾀﾞ^ﾀﾛｳ", values: 1, pydicomAgrees: true, dcmtkConverts: true),
        // JIS X 0212 (ESC $ ( D), row 16 cell 1: U+4E02.
        Case(
            name: "JIS X 0212", charset: ["", "ISO 2022 IR 87", "ISO 2022 IR 159"], vr: .LO,
            bytes: ascii("A") + [esc] + ascii("$(D") + [0x30, 0x21] + toASCII + ascii("B"),
            expected: "A丂B", values: 1, pydicomAgrees: true, dcmtkConverts: false, iconv: "ISO-2022-JP-2"),
        // PS3.5 Annex I.2: KS X 1001 in G1, designated again after each delimiter.
        Case(
            name: "I.2", charset: ["", "ISO 2022 IR 149"], vr: .PN,
            bytes: ascii("Hong^Gildong=") + ksX1001 + [0xFB, 0xF3] + ascii("^") + ksX1001 + [0xD1, 0xCE, 0xD4, 0xD7]
                + ascii("=") + ksX1001 + [0xC8, 0xAB] + ascii("^") + ksX1001 + [0xB1, 0xE6, 0xB5, 0xBF],
            expected: "Hong^Gildong=洪^吉洞=홍^길동", values: 1, pydicomAgrees: true, dcmtkConverts: true),
        // Two Korean values: the backslash returns to ASCII, the second value designates KS X 1001 again.
        Case(
            name: "KS X 1001, two values", charset: ["", "ISO 2022 IR 149"], vr: .LO,
            bytes: ksX1001 + [0xFB, 0xF3] + ascii("\\") + ksX1001 + [0xD1, 0xCE, 0xD4, 0xD7],
            expected: "洪\\吉洞", values: 2, pydicomAgrees: true, dcmtkConverts: true),
        // KS X 1001 as value 1: G1 from the start, no escape sequence (what some Korean writers send). PS3.3
        // C.12.1.1.2 does not allow a multi-byte set in value 1 and DCMTK refuses the file; pydicom reads it, as here.
        Case(
            name: "KS X 1001 as value 1", charset: ["ISO 2022 IR 149"], vr: .PN, bytes: ascii("Hong=") + [0xC8, 0xAB],
            expected: "Hong=홍", values: 1, pydicomAgrees: true, dcmtkConverts: false),
        // PS3.5 Annex J.1: GB18030 person name.
        Case(
            name: "J.1", charset: ["GB18030"], vr: .PN,
            bytes: ascii("Wang^XiaoDong=") + [0xCD, 0xF5] + ascii("^") + [0xD0, 0xA1, 0xB6, 0xAB] + ascii("="),
            expected: "Wang^XiaoDong=王^小东=", values: 1, pydicomAgrees: true, dcmtkConverts: true, iconv: "GB18030"),
        // PS3.5 Annex J.2: GB18030 text of three lines.
        Case(
            name: "J.2", charset: ["GB18030"], vr: .LT,
            bytes: ascii("The first line includes") + [0xD6, 0xD0, 0xCE, 0xC4] + ascii(".\r\nThe second line includes")
                + [0xD6, 0xD0, 0xCE, 0xC4] + ascii(", too.\r\nThe third line."),
            expected: "The first line includes中文.\r\nThe second line includes中文, too.\r\nThe third line.", values: 1,
            pydicomAgrees: true, dcmtkConverts: true, iconv: "GB18030"),
        // PS3.5 Annex J.3: GB 2312 in G1 with code extensions.
        Case(
            name: "J.3", charset: ["", "ISO 2022 IR 58"], vr: .PN,
            bytes: ascii("Zhang^XiaoDong=") + gb2312 + [0xD5, 0xC5] + ascii("^") + gb2312 + [0xD0, 0xA1, 0xB6, 0xAB]
                + ascii("="),
            expected: "Zhang^XiaoDong=张^小东=", values: 1, pydicomAgrees: false, dcmtkConverts: true),
        // PS3.5 Annex J.4: GB 2312 text; each line designates it again after CR LF.
        Case(
            name: "J.4", charset: ["", "ISO 2022 IR 58"], vr: .LT,
            bytes: ascii("The first line includes") + gb2312 + [0xD6, 0xD0, 0xCE, 0xC4] + ascii(".\r\nThe second line includes")
                + gb2312 + [0xD6, 0xD0, 0xCE, 0xC4] + ascii(", too.\r\nThe third line."),
            expected: "The first line includes中文.\r\nThe second line includes中文, too.\r\nThe third line.", values: 1,
            pydicomAgrees: false, dcmtkConverts: true),
        // GB18030 four-byte sequences: U+1F600 (0x9439FC36, beyond the BMP), U+00DE (0x81308937), and the two-byte €.
        Case(
            name: "GB18030 four-byte", charset: ["GB18030"], vr: .LO,
            bytes: [0x94, 0x39, 0xFC, 0x36, 0x81, 0x30, 0x89, 0x37, 0xA2, 0xE3], expected: "😀Þ€", values: 1,
            pydicomAgrees: true, dcmtkConverts: true, iconv: "GB18030"),
        // GBK 0x81 0x5C is one character (乗): its trail byte is not the delimiter before the second value.
        Case(
            name: "GBK trail 0x5C", charset: ["GBK"], vr: .LO, bytes: [0x81, 0x5C, 0x5C, 0x41], expected: "乗\\A",
            values: 2, pydicomAgrees: true, dcmtkConverts: true, iconv: "GBK"),
        // Latin-1 and Cyrillic switched by escape sequences (ESC - L, PS3.3 Table C.12-3).
        Case(
            name: "Latin-1 and Cyrillic", charset: ["ISO 2022 IR 100", "ISO 2022 IR 144"], vr: .PN,
            bytes: ascii("M") + [0xFC] + ascii("ller=") + [esc] + ascii("-L") + [0xCE], expected: "Müller=Ю", values: 1,
            pydicomAgrees: true, dcmtkConverts: true),
    ]

    /// Writes each case with pydicom and returns pydicom's decoding of each, by name.
    static func writeWithPydicom(_ cases: [Case], in folder: URL) throws -> [String: String] {
        let json: [[String: Any]] = cases.map { c in
            [
                "name": c.name, "charset": c.charset, "hex": c.bytes.map { String(format: "%02x", $0) }.joined(),
                "tag": String(format: "%04x%04x", c.tag.group, c.tag.element), "vr": c.vr.rawValue,
                "path": folder.appendingPathComponent("\(c.name).dcm").path,
            ]
        }
        let casesFile = folder.appendingPathComponent("cases.json")
        try JSONSerialization.data(withJSONObject: json).write(to: casesFile)
        let script = """
            import json, sys
            import pydicom
            from pydicom.dataelem import DataElement
            from pydicom.dataset import Dataset, FileMetaDataset
            from pydicom.uid import ExplicitVRLittleEndian
            out = {}
            for n, c in enumerate(json.load(open(sys.argv[1]))):
                ds = Dataset()
                ds.file_meta = FileMetaDataset()
                ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
                ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
                ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID = "1.2.826.0.1.%d" % (n + 1)
                ds.SpecificCharacterSet = c["charset"]
                raw = bytes.fromhex(c["hex"])
                ds.add(DataElement(int(c["tag"], 16), c["vr"], raw + b" " * (len(raw) % 2)))
                ds.is_little_endian, ds.is_implicit_VR = True, False
                ds.save_as(c["path"], write_like_original=False)
                value = pydicom.dcmread(c["path"])[int(c["tag"], 16)].value
                values = list(value) if isinstance(value, pydicom.multival.MultiValue) else [value]
                out[c["name"]] = "\\\\".join(str(v) for v in values)
            print(json.dumps(out))
            """
        let out = try runPython(script, arguments: [casesFile.path])
        try #require(out.status == 0, Comment(rawValue: out.standardError))
        return try JSONDecoder().decode([String: String].self, from: Data(out.standardOutput.utf8))
    }

    /// pydicom drops a person name's trailing empty component groups and components.
    static func withoutTrailingDelimiters(_ s: String, _ vr: VR) -> String {
        vr == .PN ? String(s.reversed().drop { $0 == "=" || $0 == "^" }.reversed()) : s
    }

    @Test("each example reads as the standard gives it, as pydicom and as DCMTK's conversion to UTF-8")
    func annexExamples() throws {
        let folder = try TestEnvironment.makeScratchDirectory("multibyte")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pydicom = try Self.writeWithPydicom(Self.cases, in: folder)
        for c in Self.cases {
            let url = folder.appendingPathComponent("\(c.name).dcm")
            let file = try DICOMFile.read(contentsOf: url)
            let values = try #require(file.dataSet.strings(c.tag), "\(c.name)")
            #expect(values.joined(separator: "\\") == c.expected, "\(c.name)")
            #expect(values.count == c.values, "\(c.name)")
            #expect(file.notes.isEmpty, "\(c.name): \(file.notes)")
            let theirs = pydicom[c.name] ?? ""
            if c.pydicomAgrees {
                #expect(Self.withoutTrailingDelimiters(c.expected, c.vr) == Self.withoutTrailingDelimiters(theirs, c.vr), "\(c.name)")
            } else {
                #expect(c.expected != theirs, "\(c.name): pydicom now agrees; set pydicomAgrees")
            }
            if let encoding = c.iconv {
                let raw = folder.appendingPathComponent("\(c.name).raw")
                try Data(c.bytes).write(to: raw)
                let out = try runProgram(URL(fileURLWithPath: "/usr/bin/iconv"), ["-f", encoding, "-t", "UTF-8", raw.path], timeout: .seconds(60))
                #expect(out.status == 0 && out.standardOutput == c.expected, "\(c.name): iconv \(out.standardOutput) \(out.standardError)")
            }
            let utf8 = folder.appendingPathComponent("\(c.name)-utf8.dcm")
            let out = try runProgram(
                URL(fileURLWithPath: "/usr/bin/dcmconv"), ["--convert-to-utf8", url.path, utf8.path], timeout: .seconds(60))
            #expect((out.status == 0) == c.dcmtkConverts, "\(c.name): \(out.standardError)")
            if c.dcmtkConverts, out.status == 0 {
                let converted = try DICOMFile.read(contentsOf: utf8).dataSet
                #expect(converted.characterSet == .utf8)
                #expect(converted.strings(c.tag) == values, "\(c.name)")
            }
        }
    }

    static let patientName = Tag(0x0010, 0x0010)

    static func file(charset: String, name: [UInt8]) throws -> DICOMFile {
        var d = DataSet()
        d.set("SpecificCharacterSet", charset)
        d[patientName] = DataElement(tag: patientName, vr: .PN, value: .bytes(name))
        return try DICOMFile.parse(DataSetWriter.fileBytes(d))
    }

    @Test(
        "bytes a set does not define are shown as U+FFFD with a note naming the tag, never an error",
        arguments: [
            ("GB18030", [0x41, 0xFF, 0x42, 0x20]),  // 0xFF starts no GB 18030 character
            ("\\ISO 2022 IR 87", [0x41, 0x1B, 0x24, 0x42, 0x30, 0x1B, 0x28, 0x42, 0x42, 0x20]),  // half a JIS X 0208 pair
            ("\\ISO 2022 IR 149", [0x41, 0x1B, 0x24, 0x29, 0x5A, 0x42, 0x20, 0x20]),  // ESC $ ) Z designates no DICOM set
            ("ISO_IR 192", [0x41, 0xC3, 0x42, 0x20]),  // a UTF-8 lead byte without its continuation
        ] as [(String, [UInt8])])
    func undecodableText(charset: String, name: [UInt8]) throws {
        let file = try Self.file(charset: charset, name: name)
        #expect(file.dataSet.string("PatientName") == "A\u{FFFD}B")
        #expect(file.notes.count == 1)
        #expect(file.notes.first?.contains("(0010,0010) PatientName") == true, "\(file.notes)")
    }

    @Test("an unknown Specific Character Set is noted and read as ASCII, its other bytes as U+FFFD")
    func unknownCharacterSet() throws {
        let file = try Self.file(charset: "ISO_IR 999", name: Array("Jos".utf8) + [0xE9, 0x20])
        #expect(file.dataSet.string("PatientName") == "Jos\u{FFFD}")
        #expect(file.notes.count == 1)
        #expect(file.notes.first?.contains("'ISO_IR 999'") == true && file.notes.first?.contains("dcmconv") == true)
        // A known set: no note.
        #expect(try Self.file(charset: "\\ISO 2022 IR 149", name: Array("Hong ".utf8)).notes.isEmpty)
    }

    @Test("an ROI name that cannot be decoded leaves the structure set readable, with a note naming the ROI's path")
    func undecodableROIName() throws {
        var roi = DataSet()
        roi.characterSet = .utf8
        roi.set("ROINumber", integers: [3])
        roi[Tag(0x3006, 0x0026)] = DataElement(tag: Tag(0x3006, 0x0026), vr: .LO, value: .bytes([0x50, 0xFF]))
        var d = DataSet()
        d.characterSet = .utf8
        d.set("SpecificCharacterSet", "ISO_IR 192")
        d.set("SOPClassUID", StructureSet.sopClassUID)
        d.set("SOPInstanceUID", "1.2.826.0.1.9")
        d.set("StructureSetROISequence", items: [roi])
        let folder = try TestEnvironment.makeScratchDirectory("roi-name")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("RS.dcm")
        try DataSetWriter.write(d, to: url)
        let set = try StructureSet(contentsOf: url)
        #expect(set.rois.map(\.name) == ["P\u{FFFD}"])
        #expect(set.notes.contains { $0.contains("RS.dcm") && $0.contains("(3006,0026) ROIName") && $0.contains("(3006,0020)") })
        #expect(set.roi(named: "P") == nil)
    }

    /// The text values of a data set and its items, keyed by path (`0010,0010`, `0008,1110[0]/0010,0010`); private
    /// elements are left out (their VR is the writer's, which an implicit-VR file does not say).
    static func textValues(_ d: DataSet, prefix: String = "") -> [String: String] {
        var out: [String: String] = [:]
        for tag in d.sortedTags where tag.group % 2 == 0 {
            let key = prefix + String(format: "%04X,%04X", tag.group, tag.element)
            guard let element = d[tag] else { continue }
            if let items = element.items {
                for (n, item) in items.enumerated() { out.merge(textValues(item, prefix: "\(key)[\(n)]/")) { a, _ in a } }
            } else if DICOMCharacterSet.isAffected(element.vr), let values = d.strings(tag) {
                out[key] = withoutTrailingDelimiters(values.joined(separator: "\\"), element.vr)
            }
        }
        return out
    }

    @Test("the character set files pydicom ships (from other writers) read as pydicom reads them")
    func pydicomCharsetFiles() throws {
        let script = """
            import json, os
            import pydicom
            import pydicom.data
            folder = os.path.join(os.path.dirname(pydicom.data.__file__), "charset_files")
            texts = ("PN", "LO", "SH", "ST", "LT", "UT", "UC")
            def walk(ds, prefix, out):
                for e in ds:
                    if e.tag.group % 2:
                        continue
                    key = prefix + "%04X,%04X" % (e.tag.group, e.tag.element)
                    if e.VR == "SQ":
                        for n, item in enumerate(e.value):
                            walk(item, "%s[%d]/" % (key, n), out)
                    elif e.VR in texts and e.value not in (None, ""):
                        values = list(e.value) if isinstance(e.value, pydicom.multival.MultiValue) else [e.value]
                        text = "\\\\".join(str(v) for v in values)
                        out[key] = text.rstrip("=^") if e.VR == "PN" else text
                return out
            result = {}
            for name in sorted(os.listdir(folder)):
                if name.endswith(".dcm"):
                    ds = pydicom.dcmread(os.path.join(folder, name))
                    ds.decode()
                    result[os.path.join(folder, name)] = walk(ds, "", {})
            print(json.dumps(result))
            """
        let out = try runPython(script)
        try #require(out.status == 0, Comment(rawValue: out.standardError))
        let theirs = try JSONDecoder().decode([String: [String: String]].self, from: Data(out.standardOutput.utf8))
        #expect(theirs.count >= 15)
        for (path, values) in theirs.sorted(by: { $0.key < $1.key }) {
            let file = try DICOMFile.read(contentsOf: URL(fileURLWithPath: path))
            let ours = Self.textValues(file.dataSet)
            let differing = Set(ours.keys).union(values.keys).filter { ours[$0] != values[$0] }.sorted()
            #expect(
                differing.isEmpty,
                "\(URL(fileURLWithPath: path).lastPathComponent): \(differing.map { "\($0): ours \(ours[$0] ?? "-"), pydicom \(values[$0] ?? "-")" })")
            #expect(file.notes.isEmpty, "\(file.notes)")
        }
    }

    @Test("the bundled tables are what tools/generate-multibyte-character-set-tables.py writes")
    func generatedTablesAreCurrent() throws {
        let folder = try TestEnvironment.makeScratchDirectory("multibyte-tables")
        defer { try? FileManager.default.removeItem(at: folder) }
        let generated = folder.appendingPathComponent("tables.bin")
        let root = TestEnvironment.packageRoot
        let out = try runProgram(
            TestEnvironment.python,
            [root.appendingPathComponent("tools/generate-multibyte-character-set-tables.py").path, generated.path])
        try #require(out.status == 0, Comment(rawValue: out.standardError))
        let bundled = try Data(contentsOf: root.appendingPathComponent("Sources/DICOM/Resources/multibyte-character-sets.bin"))
        #expect(try Data(contentsOf: generated) == bundled)
        let tables = try MultiByteCharacterSetTables(Array(bundled), path: "bundled")
        // Spot checks from the standards: JIS X 0208 0x3B33 山, KS X 1001 0x7B73 洪, GB 2312 0x5545 张.
        #expect(tables.jisX0208.scalar(0x3B, 0x33) == "山" && tables.ksX1001.scalar(0x7B, 0x73) == "洪")
        #expect(tables.gb2312.scalar(0x55, 0x45) == "张" && tables.gb18030FourByteBMP(index: 0) == "\u{80}")
    }

    /// Every character set this codec knows, for the fuzz test.
    static func allSets() throws -> [DICOMCharacterSet] {
        try [
            ["ISO_IR 192"], ["GB18030"], ["GBK"], ["ISO_IR 13"], ["", "ISO 2022 IR 87", "ISO 2022 IR 159"],
            ["ISO 2022 IR 13", "ISO 2022 IR 87"], ["", "ISO 2022 IR 149"], ["", "ISO 2022 IR 58"],
            ["ISO 2022 IR 100", "ISO 2022 IR 144", "ISO 2022 IR 126"], ["ISO_IR 166"], ["ISO_IR 999"],
        ].map { try DICOMCharacterSet(specificCharacterSet: $0) }
    }

    @Test("random bytes decode to text (U+FFFD where undefined) in every set, never a trap; ASCII stays ASCII")
    func fuzz() throws {
        var random = SplitMix64(state: 9)
        let sets = try Self.allSets()
        // The escapes and lead bytes the decoders branch on, so that random strings reach every path.
        let interesting: [UInt8] = [0x1B, 0x24, 0x28, 0x29, 0x2D, 0x42, 0x43, 0x41, 0x4A, 0x49, 0x44, 0x5C, 0x5E, 0x3D, 0x0D, 0x0A,
            0x81, 0x84, 0x90, 0xE3, 0x30, 0x39, 0xA1, 0xFE, 0xFF, 0x80, 0x20]
        for _ in 0..<2000 {
            let count = Int(random.next() % 24)
            let bytes = (0..<count).map { _ in
                random.next() % 2 == 0 ? interesting[Int(random.next() % UInt64(interesting.count))] : UInt8(truncatingIfNeeded: random.next())
            }
            for set in sets {
                for vr in [VR.PN, .LO, .LT] {
                    let decoded = set.decode(bytes, vr: vr)
                    #expect(decoded.isExact || decoded.text.unicodeScalars.contains("\u{FFFD}"), "\(set) \(bytes)")
                }
            }
        }
        let ascii = Array("Doe^John=Smith\\CT 1.2".utf8)
        for set in sets { #expect(set.decode(ascii, vr: .PN).text == "Doe^John=Smith\\CT 1.2", "\(set)") }
    }

    /// One two-byte table against glibc: the set, iconv's name for the same bytes, the byte ranges, how a pair is written.
    struct GlibcTable: Sendable, CustomStringConvertible {
        let name: String, charset: [String], iconv: String
        let leads: ClosedRange<UInt8>, trails: ClosedRange<UInt8>
        let prefix: [UInt8], suffix: [UInt8], high: Bool
        /// The pairs (hex) where the two differ, and how: facts of the two implementations, checked here so that a change
        /// in either shows.
        let knownDifferences: [String: String]
        var description: String { name }
    }

    static let glibcTables: [GlibcTable] = [
        GlibcTable(
            name: "JIS X 0208", charset: ["", "ISO 2022 IR 87"], iconv: "ISO-2022-JP-2", leads: 0x21...0x7E, trails: 0x21...0x7E,
            prefix: [esc] + ascii("$B"), suffix: toASCII, high: false, knownDifferences: [:]),
        // JIS X 0212 0x2237 TILDE: U+007E in Python's codec (our table), U+FF5E FULLWIDTH TILDE in glibc.
        GlibcTable(
            name: "JIS X 0212", charset: ["", "ISO 2022 IR 159"], iconv: "ISO-2022-JP-2", leads: 0x21...0x7E, trails: 0x21...0x7E,
            prefix: [esc] + ascii("$(D"), suffix: toASCII, high: false, knownDifferences: ["2237": "~ ～"]),
        // KS X 1001:2002 added 0x2268 (㉾, U+327E) and Unicode maps the fill code 0x2454 to U+3164; Python's codec has
        // neither, glibc both.
        GlibcTable(
            name: "KS X 1001", charset: ["ISO 2022 IR 149"], iconv: "EUC-KR", leads: 0x21...0x7E, trails: 0x21...0x7E,
            prefix: [], suffix: [], high: true, knownDifferences: ["2268": "- ㉾", "2454": "- \u{3164}"]),
        GlibcTable(
            name: "GB 2312", charset: ["ISO 2022 IR 58"], iconv: "EUC-CN", leads: 0x21...0x7E, trails: 0x21...0x7E,
            prefix: [], suffix: [], high: true, knownDifferences: [:]),
        GlibcTable(
            name: "GBK", charset: ["GBK"], iconv: "GBK", leads: 0x81...0xFE, trails: 0x40...0xFE, prefix: [], suffix: [], high: false,
            knownDifferences: [:]),
        GlibcTable(
            name: "GB18030", charset: ["GB18030"], iconv: "GB18030", leads: 0x81...0xFE, trails: 0x40...0xFE, prefix: [], suffix: [],
            high: false, knownDifferences: [:]),
    ]

    @Test("every two-byte character reads as glibc's iconv converts it, but for the differences listed", arguments: glibcTables)
    func againstGlibc(table: GlibcTable) throws {
        let set = try DICOMCharacterSet(specificCharacterSet: table.charset)
        var input: [UInt8] = [], pairs: [String] = [], ours: [String] = []
        for lead in table.leads {
            for trail in table.trails where trail != 0x7F {
                let pair = table.high ? [lead | 0x80, trail | 0x80] : [lead, trail]
                let bytes = table.prefix + pair + table.suffix
                input += bytes + [0x0A]
                pairs.append(String(format: "%02X%02X", lead, trail))
                let decoded = set.decode(bytes, vr: .LT)
                ours.append(decoded.isExact ? decoded.text : "-")
            }
        }
        let folder = try TestEnvironment.makeScratchDirectory("glibc-\(table.iconv)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("pairs")
        try Data(input).write(to: file)
        let out = try runProgram(
            URL(fileURLWithPath: "/usr/bin/iconv"), ["-c", "-f", table.iconv, "-t", "UTF-8", file.path], timeout: .seconds(60))
        let lines = out.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        try #require(lines.count == pairs.count, "iconv gave \(lines.count) lines for \(pairs.count) pairs: \(out.standardError)")
        var differences: [String: String] = [:]
        for (n, line) in lines.enumerated() {
            // iconv -c drops what it cannot convert: an empty line, or the ASCII left of a broken pair, is "undefined".
            let theirs = line.unicodeScalars.allSatisfy(\.isASCII) ? "-" : line
            if ours[n] != theirs { differences[pairs[n]] = "\(ours[n]) \(theirs)" }
        }
        if table.name == "GB18030" {
            // Python's codec keeps GB 18030-2000's Private Use code points where later editions assigned characters,
            // which glibc follows: the vertical forms 0xA6D9–0xA6F3 (U+FE10–FE19), 0xA8BC (U+1E3F) and 14 of 0xFE51–0xFEA0
            // (CJK radicals and ideographs): 25 pairs, each Private Use in ours.
            let privateUse = differences.values.filter { $0.unicodeScalars.first.map { (0xE000...0xF8FF).contains($0.value) } ?? false }
            #expect(privateUse.count == differences.count && differences.count == 25)
        } else {
            #expect(differences == table.knownDifferences)
        }
        #expect(ours.filter { $0 != "-" }.count > 6000)
    }
}
