import Foundation
import TestSupport
import Testing

@testable import DICOM

/// A folder without classic CT slices is refused saying what it does hold: exports often put each series in a
/// subfolder, or the planning CT as one Enhanced CT (multi-frame) object, which "no CT images" alone left unexplained.
@Suite("CT folder contents in the refusal")
struct CTFolderContentsTests {
    @Test("an Enhanced CT and a subfolder are named in the refusal")
    func enhancedCTAndSubfolder() throws {
        let folder = try TestEnvironment.makeScratchDirectory("ct-contents")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("RTPLAN"), withIntermediateDirectories: true)
        var d = DataSet()
        d.set("SOPClassUID", "1.2.840.10008.5.1.4.1.1.2.1")
        d.set("SOPInstanceUID", "1.2.3.4.5")
        d.set("Modality", "CT")
        try DataSetWriter.write(d, to: folder.appendingPathComponent("enhanced.dcm"))
        CTSeriesCheckTests.expectError(folder, "no CT images (CT Image Storage, one file per slice); it holds 1 Enhanced CT Image (multi-frame); subfolders (RTPLAN) are not searched")
    }

    @Test("a slice exported twice (same SOP Instance UID) is read once with a warning")
    func repeatedFile() throws {
        let v = CTSeriesCheckTests.volume()
        let folder = try CTSeriesCheckTests.write(v)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: folder.appendingPathComponent("CT_0003.dcm"), to: folder.appendingPathComponent("CT_0003 (1).dcm"))
        let (back, warnings) = try CTSeriesReader.read(directory: folder)
        #expect(back.huValues == v.huValues)
        #expect(warnings.contains { $0.hasPrefix("1 file (CT_0003") && $0.contains("repeats a slice already read") }, "\(warnings)")
    }
}
