import Foundation
import TestSupport
import Testing

/// `penumbra dicom import` on the thorax example's CT compressed by DCMTK gives the same phantom, byte for
/// byte, as on the uncompressed CT: decoded pixels take the native path (rescale, padding, signedness).
@Suite("penumbra dicom import on a compressed CT")
struct CompressedThoraxImportTests {
    @Test("the thorax CT with slices in JPEG Lossless SV1 and RLE Lossless imports to the identical .egsphant")
    func compressedThorax() throws {
        let executable = CommandLineTests.executable
        try #require(
            FileManager.default.isExecutableFile(atPath: executable.path), "build the executable first: swift build")
        let folder = try TestEnvironment.makeScratchDirectory("compressed-thorax")
        defer { try? FileManager.default.removeItem(at: folder) }
        let plain = folder.appendingPathComponent("plain"), packed = folder.appendingPathComponent("packed")
        let made = try runProgram(executable, ["example", "thorax", "--out", plain.path])
        try #require(made.status == 0, Comment(rawValue: made.standardError))
        try FileManager.default.createDirectory(at: packed, withIntermediateDirectories: true)
        // Every tenth slice JPEG Lossless (dcmcjpeg's default SV1), the next RLE, the rest as written: one series
        // in three syntaxes (20 compressed slices keep the test short; each slice is decoded on its own).
        let slices = try FileManager.default.contentsOfDirectory(atPath: plain.path).filter { $0.hasPrefix("CT_") }
            .sorted()
        for (n, name) in slices.enumerated() {
            guard n % 10 < 2 else {
                try FileManager.default.copyItem(
                    at: plain.appendingPathComponent(name), to: packed.appendingPathComponent(name))
                continue
            }
            let tool = n % 10 == 0 ? "/usr/bin/dcmcjpeg" : "/usr/bin/dcmcrle"
            let out = try runProgram(
                URL(fileURLWithPath: tool),
                [plain.appendingPathComponent(name).path, packed.appendingPathComponent(name).path],
                timeout: .seconds(60))
            try #require(out.status == 0, Comment(rawValue: out.standardError))
        }
        var phantoms: [Data] = []
        for ct in [plain, packed] {
            let out = folder.appendingPathComponent("\(ct.lastPathComponent).egsphant")
            let imported = try runProgram(
                executable,
                [
                    "dicom", "import", ct.path, "--structures", plain.appendingPathComponent("RTSTRUCT.dcm").path,
                    "--out", out.path,
                ])
            try #require(imported.status == 0, Comment(rawValue: imported.standardError))
            phantoms.append(try Data(contentsOf: out))
        }
        #expect(phantoms[0] == phantoms[1])
    }
}
