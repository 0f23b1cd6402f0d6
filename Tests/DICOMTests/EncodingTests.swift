import Foundation
import Testing

@testable import DICOM

@Suite("Encoding details: syntaxes, UN, character sets, long values")
struct EncodingTests {
    static func nested() -> DataSet {
        var d = DataSet()
        d.set("SOPClassUID", Plan.sopClassUID)
        d.set("SOPInstanceUID", "1.2.3.4.5")
        d.set("Rows", uint16: [512])
        d.set("ImagePositionPatient", decimals: [-250.5, 0.1 + 0.2, 1e-7])
        var inner = DataSet()
        inner.set("ControlPointIndex", integers: [0])
        inner.set("GantryAngle", decimals: [359.9])
        var outer = DataSet()
        outer.set("BeamNumber", integers: [1])
        outer.set("ControlPointSequence", items: [inner, DataSet()])
        d.set("BeamSequence", items: [outer])
        return d
    }

    @Test(
        "explicit and implicit VR little endian round trips keep values and nesting",
        arguments: [TransferSyntax.explicitVRLittleEndian, .implicitVRLittleEndian])
    func roundTrip(syntax: TransferSyntax) throws {
        let file = try DICOMFile.parse(DataSetWriter.fileBytes(Self.nested(), syntax: syntax))
        #expect(file.transferSyntax == syntax && file.hasPreamble)
        let d = file.dataSet
        #expect(try d.int("Rows") == 512)
        let ipp = try #require(try d.doubles("ImagePositionPatient"))
        #expect(ipp[0] == -250.5 && abs(ipp[1] - 0.3) < 1e-15 && ipp[2] == 1e-7)  // DS keeps ≤ 16 characters
        let beam = try #require(try d.sequence("BeamSequence")?.first)
        let points = try #require(try beam.sequence("ControlPointSequence"))
        #expect(points.count == 2 && points[1].elements.isEmpty)
        #expect(try points[0].double("GantryAngle") == 359.9)
        // Without preamble and File Meta, as several TPS export: the syntax is recognised from the bytes.
        let bare = try DICOMFile.parse(DataSetWriter.encode(Self.nested(), syntax: syntax))
        #expect(bare.transferSyntax == syntax && !bare.hasPreamble && bare.meta.elements.isEmpty)
        #expect(try bare.dataSet.sequence("BeamSequence")?.first?.sequence("ControlPointSequence")?.count == 2)
    }

    @Test(
        "DS strings never exceed 16 characters",
        arguments: [0.1 + 0.2, -1234.56789012345, 1e-12, 123456789012.345, -0.0, 2.0 / 3.0])
    func decimalStrings(value: Double) {
        let text = DataSet.decimalString(value)
        #expect(text.count <= 16)
        #expect(abs(Double(text)! - value) <= 1e-9 * max(1, abs(value)))
    }

    @Test("UN with undefined length is an implicit-VR sequence; a known tag written as UN regains its VR")
    func unknownVR() throws {
        // (300A,00B0) as UN, undefined length, one undefined-length item holding (300A,00C0) IS "7"
        // in implicit VR LE; then (300A,00B4) SourceAxisDistance written as UN with defined length.
        var bytes: [UInt8] = [0x08, 0x00, 0x60, 0x00] + Array("CS".utf8) + [0x06, 0x00] + Array("RTPLAN".utf8)
        bytes += [0x0A, 0x30, 0xB0, 0x00] + Array("UN".utf8) + [0, 0, 0xFF, 0xFF, 0xFF, 0xFF]
        bytes += [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]
        bytes += [0x0A, 0x30, 0xC0, 0x00, 0x02, 0x00, 0x00, 0x00] + Array("7 ".utf8)
        bytes += [0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0, 0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0]
        bytes += [0x0A, 0x30, 0xB4, 0x00] + Array("UN".utf8) + [0, 0, 4, 0, 0, 0] + Array("1000".utf8)
        let d = try DICOMFile.parse(bytes).dataSet
        #expect(try d.sequence("BeamSequence")?.first?.int("BeamNumber") == 7)
        #expect(d.element("SourceAxisDistance")?.vr == .DS)
        #expect(try d.double("SourceAxisDistance") == 1000)
    }

    @Test("a value longer than a 2-byte length allows is written as UN and read back with its VR")
    func longValue() throws {
        var d = DataSet()
        d.set("SOPClassUID", StructureSet.sopClassUID)
        d.set("ContourData", decimals: (0..<9000).map { Double($0) / 7 })
        let file = try DICOMFile.parse(DataSetWriter.fileBytes(d))
        #expect(file.dataSet.element("ContourData")?.vr == .DS)
        #expect(try file.dataSet.doubles("ContourData")?.count == 9000)
    }

    @Test("ISO_IR 100 and ISO_IR 192 text decodes")
    func characterSets() throws {
        for (term, encoded) in [
            ("ISO_IR 100", [UInt8]([0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72])), ("ISO_IR 192", Array("Müller".utf8)),
        ] {
            var d = DataSet()
            d.set("SpecificCharacterSet", term)
            d[Tag(0x0010, 0x0010)] = DataElement(tag: Tag(0x0010, 0x0010), vr: .PN, value: .bytes(encoded))
            let back = try DICOMFile.parse(DataSetWriter.fileBytes(d)).dataSet
            #expect(back.string("PatientName") == "Müller")
        }
    }

    @Test("File Meta stating the wrong little-endian VR encoding: read as the data set is encoded, with a note")
    func mislabelledSyntax() throws {
        for (stated, actual) in [
            (TransferSyntax.explicitVRLittleEndian, TransferSyntax.implicitVRLittleEndian),
            (.implicitVRLittleEndian, .explicitVRLittleEndian),
        ] {
            let d = Self.nested()
            let withMeta = DataSetWriter.fileBytes(d, syntax: stated)
            let bytes =
                Array(withMeta.dropLast(DataSetWriter.encode(d, syntax: stated).count))
                + DataSetWriter.encode(d, syntax: actual)
            let file = try DICOMFile.parse(bytes)
            #expect(file.transferSyntax == actual)
            #expect(file.notes.count == 1 && file.notes[0].contains(actual.name))
            #expect(try file.dataSet.sequence("BeamSequence")?.first?.sequence("ControlPointSequence")?.count == 2)
        }
        #expect(try DICOMFile.parse(DataSetWriter.fileBytes(Self.nested())).notes.isEmpty)
    }
}
