import DICOM
import Foundation
import Geometry
import Phantom
import TestSupport
import Testing

/// The `penumbra` executable run as a real process (built by `swift build`, which `make test` runs first).
@Suite("penumbra example / dicom info / dicom import")
struct CommandLineTests {
    static let executable = TestEnvironment.packageRoot.appendingPathComponent(".build/debug/penumbra")

    @Test("example thorax, then dicom info on what it wrote")
    func endToEnd() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.executable.path),
            "build the executable first: swift build")
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
    }

    @Test("dicom import: a CT series and its EXTERNAL ROI to an .egsphant with the ctcreate ramp")
    func importSeries() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.executable.path),
            "build the executable first: swift build")
        let folder = try TestEnvironment.makeScratchDirectory("cli-import")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A 40 × 30 × 6 series of −780 HU (lung on the ctcreate ramp) inside a 6 cm-radius BODY contour.
        let context = StudyContext(
            patient: PatientIdentity(), studyInstanceUID: "1.2.3", frameOfReferenceUID: "1.2.3.4", studyDate: "",
            studyTime: "", description: "")
        let volume = Volume(
            counts: (40, 30, 6), originMM: Vec3(-97.5, -72.5, -7.5), spacingMM: Vec3(5, 5, 3),
            huValues: Array(repeating: -780, count: 40 * 30 * 6), patientPosition: .headFirstSupine, seriesInstanceUID: "1.2.3.5",
            frameOfReferenceUID: "1.2.3.4", studyInstanceUID: "1.2.3")
        let uids = try CTSeriesWriter.write(volume, context: context, to: folder)
        let circle = { (z: Double) in
            (0..<72).map { Vec3(60 * cos(Double($0) * .pi / 36), 60 * sin(Double($0) * .pi / 36), z) }
        }
        let zs = (0..<6).map { -7.5 + 3 * Double($0) }
        let rs = try StructureSetWriter.dataSet(
            rois: [
                ROIDefinition(
                    number: 1, name: "BODY", interpretedType: "EXTERNAL", colour: (0, 255, 0),
                    contoursMM: zs.map(circle))
            ],
            label: "T", context: context, ctSeriesUID: "1.2.3.5",
            ctSlices: Array(zip(uids, zs)).map { (uid: $0.0, zMM: $0.1) }, sopInstanceUID: "1.2.3.6",
            seriesInstanceUID: "1.2.3.7")
        let rsURL = folder.appendingPathComponent("RS.dcm")
        try DataSetWriter.write(rs, to: rsURL)

        let phantomURL = folder.appendingPathComponent("out.egsphant")
        let imported = try runProgram(
            Self.executable,
            [
                "dicom", "import", folder.path, "--structures", rsURL.path, "--calibration", "egsnrc-ctcreate-4",
                "--out", phantomURL.path,
            ])
        #expect(imported.status == 0, Comment(rawValue: imported.standardError))
        let phantom = try EGSPhantomFile.read(phantomURL)
        #expect(phantom.grid.counts == (40, 30, 6))
        // The grid's corner is the first voxel centre minus half a voxel.
        #expect(abs(phantom.grid.originCM.x - -10) < 1e-9 && abs(phantom.grid.originCM.z - -0.9) < 1e-9)
        #expect(phantom.media == ["AIR700ICRU", "LUNG700ICRU"])
        // Centre voxel: −780 HU → ctcreate ramp 0.044 + (194/250)·0.258 g/cm³; a corner voxel is outside BODY → air.
        let centre = phantom.grid.index(20, 15, 3), corner = phantom.grid.index(0, 0, 0)
        #expect(phantom.media[Int(phantom.mediumIndices[centre])] == "LUNG700ICRU")
        // Tolerance: .egsphant densities are written with at least 4 decimals.
        #expect(abs(Double(phantom.densitiesGPerCM3[centre]) - (0.044 + 194.0 / 250 * 0.258)) < 1e-4)
        #expect(phantom.media[Int(phantom.mediumIndices[corner])] == "AIR700ICRU")
        // −1000 HU on the ramp's air segment.
        #expect(abs(Double(phantom.densitiesGPerCM3[corner]) - (0.001 + 24.0 / 50 * 0.043)) < 1e-4)
    }

    @Test("dicom info on other writers' folders: dicompyler-core's breast case, pydicom's files (with unreadable ones)")
    func infoOnOtherWriters() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.executable.path),
            "build the executable first: swift build")
        let data = TestEnvironment.packageRoot.appendingPathComponent(".build/test-data/dicom")
        try #require(
            FileManager.default.fileExists(atPath: data.appendingPathComponent("dicompyler-core").path), "run make deps"
        )
        let breast = try runProgram(
            Self.executable, ["dicom", "info", data.appendingPathComponent("dicompyler-core").path])
        #expect(breast.status == 0, Comment(rawValue: breast.standardError))
        #expect(breast.standardOutput.contains("RT Dose rtdose.dcm: 194 × 129 × 98"))
        #expect(breast.standardOutput.contains("10 ROIs") && breast.standardOutput.contains("(empty)"))
        #expect(breast.standardOutput.contains("MLCX 60 leaf pairs"))
        let mixed = try runProgram(Self.executable, ["dicom", "info", data.appendingPathComponent("pydicom").path])
        #expect(mixed.status != 0)  // the truncated plan cannot be read …
        #expect(mixed.standardOutput.contains("rtplan_truncated.dcm: cannot be read"))
        #expect(mixed.standardOutput.contains("RT Dose rtdose_rle.dcm: "))  // RLE Lossless is decoded
        #expect(mixed.standardOutput.contains("RT Plan rtplan.dcm"))  // … but the others are still listed
    }

    @Test("bad input: a clear message and a non-zero exit, nothing written")
    func badInput() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.executable.path),
            "build the executable first: swift build")
        let folder = try TestEnvironment.makeScratchDirectory("cli-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("x.egsphant")
        let empty = try runProgram(Self.executable, ["dicom", "import", folder.path, "--out", out.path])
        #expect(empty.status != 0 && empty.standardError.contains("no CT images"))
        let preset = try runProgram(
            Self.executable,
            [
                "dicom", "import", TestEnvironment.reference("dicom/tg119").path, "--calibration", "nonsense", "--out",
                out.path,
            ])
        #expect(preset.status != 0 && preset.standardError.contains("schneider-2000"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        let missing = try runProgram(
            Self.executable, ["dicom", "info", folder.appendingPathComponent("nope.dcm").path])
        #expect(missing.status != 0 && missing.standardError.contains("does not exist"))
    }
}
