import Foundation
import Report
import TestSupport
import Testing

@Suite struct SHA256Tests {
    /// FIPS 180-4 examples (NIST CSRC "SHA256.pdf"): "abc" and the two-block message.
    @Test(arguments: [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ])
    func knownDigests(_ text: String, _ digest: String) {
        #expect(SHA256.hex(Data(text.utf8)) == digest)
    }

    @Test func agreesWithPythonOnAMultiBlockFile() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bytes.bin")
        try Data((0..<1000).map { UInt8(($0 * 37) & 0xFF) }).write(to: file)
        let run = try runPython("import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())", arguments: [file.path])
        #expect(try SHA256.hex(contentsOf: file) == run.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
