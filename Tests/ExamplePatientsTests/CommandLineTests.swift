import Foundation
import Phantom
import Testing
import TestSupport

/// The `penumbra` executable run as a real process (built by `swift build`, which `make test` runs first).
@Suite("penumbra example / dicom info / dicom import")
struct CommandLineTests {
    static let executable = TestEnvironment.packageRoot.appendingPathComponent(".build/debug/penumbra")

    @Test("example thorax, then info and import of what it wrote")
    func endToEnd() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the executable first: swift build")
        let folder = try TestEnvironment.makeScratchDirectory("cli")
        defer { try? FileManager.default.removeItem(at: folder) }
        let example = folder.appendingPathComponent("thorax")
        let made = try runProgram(Self.executable, ["example", "thorax", "--out", example.path])
        #expect(made.status == 0, Comment(rawValue: made.standardError))

        let info = try runProgram(Self.executable, ["dicom", "info", example.path])
        #expect(info.status == 0, Comment(rawValue: info.standardError))
        #expect(info.standardOutput.contains("100 slices of 160 × 160"))
        #expect(info.standardOutput.contains("4 beams, fractions 30"))
        #expect(info.standardOutput.contains("9 GTV [GTV]"))
        #expect(!info.standardOutput.contains("PENUMBRA^THORAX"))  // no patient identifiers in the output

        let phantomURL = folder.appendingPathComponent("thorax.egsphant")
        let imported = try runProgram(Self.executable, ["dicom", "import", example.path, "--calibration", "egsnrc-ctcreate-4", "--out", phantomURL.path])
        #expect(imported.status == 0, Comment(rawValue: imported.standardError))
        let phantom = try EGSPhantomFile.read(phantomURL)
        #expect(phantom.grid.counts == (160, 160, 100))
        #expect(phantom.media == ["AIR700ICRU", "LUNG700ICRU", "ICRUTISSUE700ICRU", "ICRPBONE700ICRU"])
        // The right lung's centre (−95, −5, 10) mm: −780 HU → ctcreate ramp 0.044 + (194/250)·0.258.
        let i = Int((-9.5 + 20) / 0.25), j = Int((-0.5 + 20) / 0.25), k = Int((1.0 + 15) / 0.3)
        let n = phantom.grid.index(i, j, k)
        #expect(phantom.media[Int(phantom.mediumIndices[n])] == "LUNG700ICRU")
        #expect(abs(Double(phantom.densitiesGPerCM3[n]) - (0.044 + 194.0 / 250 * 0.258)) < 1e-4)  // egsphant keeps 4+ decimals
    }

    @Test("bad input: a clear message and a non-zero exit, nothing written")
    func badInput() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the executable first: swift build")
        let folder = try TestEnvironment.makeScratchDirectory("cli-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("x.egsphant")
        let empty = try runProgram(Self.executable, ["dicom", "import", folder.path, "--out", out.path])
        #expect(empty.status != 0 && empty.standardError.contains("no CT images"))
        let preset = try runProgram(Self.executable, ["dicom", "import", TestEnvironment.reference("dicom/tg119").path, "--calibration", "nonsense", "--out", out.path])
        #expect(preset.status != 0 && preset.standardError.contains("schneider-2000"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let missing = try runProgram(Self.executable, ["dicom", "info", folder.appendingPathComponent("nope.dcm").path])
        #expect(missing.status != 0 && missing.standardError.contains("does not exist"))
    }
}
