import Foundation
import Report
import TestSupport
import Testing

@Suite struct FileDigestTests {
    /// The digest recorded in reports must be the one `sha256sum` and Python's hashlib print, so that a
    /// physicist can check an input file by hand.
    @Test func agreesWithPythonOnAMultiBlockFile() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bytes.bin")
        try Data((0..<1000).map { UInt8(($0 * 37) & 0xFF) }).write(to: file)
        let run = try runPython(
            "import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())",
            arguments: [file.path])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(
            try FileDigest.sha256Hex(contentsOf: file) == run.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// FIPS 180-4 example (NIST CSRC "SHA256.pdf"): "abc".
    @Test func knownDigest() {
        #expect(FileDigest.sha256Hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
