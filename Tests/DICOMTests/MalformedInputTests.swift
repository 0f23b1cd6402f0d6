import Foundation
import TestSupport
import Testing

@testable import DICOM

/// SplitMix64 (Steele, Lea & Flood 2014): a small seeded generator so that fuzz runs are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Malformed input: a typed error with location, never a crash")
struct MalformedInputTests {
    /// A small explicit VR LE file with a sequence, built by our writer.
    static func sample() -> [UInt8] {
        var d = DataSet()
        d.set("SOPClassUID", Plan.sopClassUID)
        d.set("SOPInstanceUID", "1.2.3")
        d.set("Modality", "RTPLAN")
        var item = DataSet()
        item.set("BeamNumber", integers: [1])
        item.set("BeamName", "AP")
        d.set("BeamSequence", items: [item])
        return DataSetWriter.fileBytes(d)
    }

    static func expectError(_ bytes: [UInt8], _ kinds: Set<DICOMError.Kind>) {
        do {
            _ = try DICOMFile.parse(bytes)
            Issue.record("malformed bytes were accepted")
        } catch let e as DICOMError {
            #expect(kinds.contains(e.kind), Comment(rawValue: e.description))
            #expect(e.offset != nil)
        } catch {
            Issue.record("untyped error \(error)")
        }
    }

    @Test("the sample round-trips")
    func sampleParses() throws {
        let file = try DICOMFile.parse(Self.sample())
        #expect(try file.dataSet.sequence("BeamSequence")?.first?.string("BeamName") == "AP")
        #expect(file.meta.string("TransferSyntaxUID") == TransferSyntax.explicitVRLittleEndian.uid)
    }

    @Test("every truncation of a real plan fails cleanly")
    func truncated() throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let bytes = [UInt8](try Data(contentsOf: TestFiles.url("pydicom/rtplan.dcm")))
        for cut in stride(from: 140, to: bytes.count - 2, by: 7) {
            do { _ = try DICOMFile.parse(Array(bytes[..<cut])) } catch is DICOMError {} catch {
                Issue.record("untyped error \(error)")
            }
        }
        do {
            _ = try DICOMFile.read(contentsOf: TestFiles.url("pydicom/rtplan_truncated.dcm"))
            Issue.record("pydicom's truncated plan was accepted")
        } catch let e as DICOMError {
            #expect([.truncated, .lengthPastEnd].contains(e.kind))
            #expect(e.description.contains("rtplan_truncated.dcm"))
        }
    }

    @Test("a length past the end of the file")
    func lengthPastEnd() {
        var bytes = Self.sample()
        // The last element is (300A,00B0) BeamSequence: SQ, reserved, 4-byte length. Make that length huge.
        let at = bytes.count - 1 - (bytes.reversed().firstIndex { $0 == 0xB0 } ?? 0)
        // Tag bytes: 0A 30 B0 00, then "SQ", 00 00, length.
        let lengthAt = at + 6
        bytes[lengthAt] = 0x00; bytes[lengthAt + 1] = 0x10; bytes[lengthAt + 2] = 0x00; bytes[lengthAt + 3] = 0x00
        Self.expectError(bytes, [.truncated, .lengthPastEnd])
    }

    @Test("an odd value length")
    func oddLength() {
        var d = DataSet()
        d.set("Modality", "CT")
        var bytes = DataSetWriter.encode(d, syntax: .implicitVRLittleEndian)
        bytes[4] = 1  // (0008,0060) length 2 → 1
        bytes.removeLast()
        Self.expectError(bytes, [.oddLength])
    }

    @Test("an explicit VR that is not a VR")
    func wrongVR() {
        var bytes = Self.sample()
        let at = 132 + 12  // inside File Meta: after (0002,0000) UL 4 → next element's VR at +4
        bytes[at + 4] = UInt8(ascii: "Z")
        bytes[at + 5] = UInt8(ascii: "Z")
        Self.expectError(bytes, [.invalidVR])
    }

    @Test("a numeric value whose length does not fit its VR")
    func binaryLengthMismatch() {
        var d = DataSet()
        d.set("Rows", uint16: [512])
        var bytes = DataSetWriter.encode(d, syntax: .explicitVRLittleEndian)
        // Relabel (0028,0010) US, 2 bytes as FD, whose values are 8 bytes each.
        bytes[4] = UInt8(ascii: "F")
        bytes[5] = UInt8(ascii: "D")
        Self.expectError(bytes, [.invalidVR])
    }

    @Test("sequences nested 200 deep")
    func deepNesting() {
        // Implicit VR LE, undefined lengths: (300A,00B0) SQ → item → (300A,00B0) SQ → item …
        let seq: [UInt8] = [0x0A, 0x30, 0xB0, 0x00, 0xFF, 0xFF, 0xFF, 0xFF]
        let item: [UInt8] = [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF]
        var bytes: [UInt8] = [0x08, 0x00, 0x60, 0x00, 0x02, 0x00, 0x00, 0x00, 0x43, 0x54]  // (0008,0060) "CT"
        for _ in 0..<200 { bytes += seq + item }
        Self.expectError(bytes, [.nestingTooDeep])
    }

    @Test("an item tag where an element should be, and a stray delimiter")
    func badStructure() {
        let bytes: [UInt8] = [
            0x08, 0x00, 0x60, 0x00, 0x02, 0x00, 0x00, 0x00, 0x43, 0x54, 0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0,
        ]
        Self.expectError(bytes, [.badStructure])
    }

    @Test("bytes that are not DICOM")
    func notDICOM() {
        Self.expectError(Array("hello, this is a text file and not an image".utf8), [.notDICOM])
        Self.expectError([], [.notDICOM])
    }

    @Test("fuzz: 3,000 random mutations of real files never crash and never throw untyped errors")
    func fuzz() throws {
        try #require(TestFiles.available, Comment(rawValue: TestFiles.missingMessage))
        let seeds = [
            "pydicom/rtplan.dcm", "pydicom/rtstruct.dcm", "pymedphys/06MV_plan.dcm", "pydicom/CT_small.dcm",
            "pydicom/rtdose_expb.dcm",
        ]
        var rng = SplitMix64(state: 20_261_129)
        var accepted = 0
        for name in seeds {
            let original = [UInt8](try Data(contentsOf: TestFiles.url(name)))
            for _ in 0..<600 {
                var bytes = original
                for _ in 0..<Int.random(in: 1...8, using: &rng) {
                    let at = Int.random(in: 0..<bytes.count, using: &rng)
                    switch Int.random(in: 0..<4, using: &rng) {
                    case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                    case 1: bytes[at] = 0xFF
                    case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...64, using: &rng)))
                    default: bytes[at] ^= 1 << UInt8.random(in: 0...7, using: &rng)
                    }
                    if bytes.isEmpty { break }
                }
                do {
                    let file = try DICOMFile.parse(bytes)
                    accepted += 1
                    // Interpreting the data set must fail cleanly too.
                    _ = try? Plan(file.dataSet)
                    _ = try? StructureSet(file.dataSet)
                    _ = try? DoseVolume(file.dataSet)
                } catch is DICOMError {
                } catch {
                    Issue.record("untyped error \(error) from a mutation of \(name)")
                }
            }
        }
        #expect(accepted > 0)  // some mutations only touch values: the fuzzer does reach the interpreters
    }
}
