import Foundation
import TestSupport
import Testing

/// `--structure` chooses ROIs by name or number; one that chooses nothing is refused with the structure set's ROIs and,
/// where an ROI name held bytes its character set does not decode (U+FFFD), which ROIs and what to do.
@Suite struct StructureSelectionTests {
    @Test func anUnmatchedStructureNamesTheUndecodableROIsAndTheROINumberChoosesOne() throws {
        let data = DVHCommandTests.data
        try #require(
            FileManager.default.fileExists(atPath: data.appendingPathComponent("rtdose.dcm").path), "run `make deps`")
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-structure-selection")
        defer { try? FileManager.default.removeItem(at: dir) }
        // ROI 5 'Heart' written as UTF-8 with a byte that is no UTF-8 ('H', 0xFF, 'art'): read as "H\u{FFFD}art".
        let edited = dir.appendingPathComponent("rtss.dcm")
        let edit = try runPython(
            """
            import sys, pydicom
            d = pydicom.dcmread(sys.argv[1])
            d.SpecificCharacterSet = 'ISO_IR 192'
            for roi in d.StructureSetROISequence:
                if roi.ROINumber == 5:
                    roi['ROIName'].value = b'H\\xffart'
            d.save_as(sys.argv[2])
            """, arguments: [data.appendingPathComponent("rtss.dcm").path, edited.path])
        try #require(edit.status == 0, "pydicom: \(edit.standardError)")
        func dvh(_ structures: [String]) throws -> ProgramOutput {
            try runProgram(
                DVHCommandTests.penumbra,
                ["dvh", data.appendingPathComponent("rtdose.dcm").path, "--structures", edited.path, "--format", "json"]
                    + structures.flatMap { ["--structure", $0] })
        }

        let byName = try dvh(["Heart"])
        #expect(byName.status != 0)
        let refusal = byName.standardError
        #expect(refusal.contains("'Heart'") && refusal.contains("4 Breast"), "\(refusal)")
        #expect(refusal.contains("ROI 5 has a name with bytes") && refusal.contains("--structure 5"), "\(refusal)")

        // A name that matches nothing beside one that does is left out with the same message as a warning.
        let mixed = try dvh(["Scar", "Heart"])
        try #require(mixed.status == 0, "\(mixed.standardError)")
        #expect(mixed.standardError.contains("'Heart'") && mixed.standardError.contains("--structure 5"), "\(mixed.standardError)")
        #expect(mixed.standardOutput.contains("Scar") && !mixed.standardOutput.contains("H\u{FFFD}art"))

        let byNumber = try dvh(["5", "Scar"])
        try #require(byNumber.status == 0, "\(byNumber.standardError)")
        #expect(byNumber.standardOutput.contains("H\u{FFFD}art") && byNumber.standardOutput.contains("Scar"))
    }
}
