import FileIO
import Foundation
import TestSupport
import Testing

@Suite struct AtomicFileTests {
    @Test func writesAndReplacesWithoutLeavingTemporaryFiles() throws {
        let folder = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("dose.3ddose")
        try AtomicFile.write(text: "first", to: url)
        // Replacing an existing file is the case Foundation's replaceItemAt gets wrong on Linux.
        try AtomicFile.write(Array("second".utf8), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["dose.3ddose"])
    }

    @Test func aMissingFolderIsAClearErrorAndNoFile() throws {
        let folder = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("missing/summary.json")
        #expect {
            try AtomicFile.write(text: "{}", to: url)
        } throws: { error in
            "\(error)".contains(url.path) && "\(error)".contains("check that the folder exists")
        }
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }
}
