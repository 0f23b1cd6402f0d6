import Foundation
import TestSupport
import Testing

/// `penumbra run` refuses a plan it would compute wrongly — a wedge it does not model, an electron beam —
/// with a message that names the beam and what to do, and writes no output; `--ignore-unmodelled-devices`
/// computes without the wedge and records that it did.
@Suite struct RunRefusalTests {
    struct Summary: Decodable { let ignoredDevices: [String]? }

    /// A copy of the thorax example's plan with `edit` (Python, on the pydicom data set `d`) applied.
    static func editedPlan(_ edit: String, in dir: URL, name: String) throws -> URL {
        let out = dir.appendingPathComponent(name)
        let script = """
            import sys, pydicom
            d = pydicom.dcmread(sys.argv[1])
            \(edit)
            d.save_as(sys.argv[2])
            """
        let result = try runPython(script, arguments: [dir.appendingPathComponent("thorax/RTPLAN.dcm").path, out.path])
        try #require(result.status == 0, "pydicom edit failed: \(result.standardError)")
        return out
    }

    /// A folder with two plans needs `--plan`; a plan in another frame of reference than the CT is refused; with
    /// two CT series the one in the plan's frame of reference is used.
    @Test func aPlanFolderIsReadWithoutGuessing() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-plan-folder")
        defer { try? FileManager.default.removeItem(at: dir) }
        let penumbra = DVHCommandTests.penumbra
        let folder = dir.appendingPathComponent("thorax")
        let example = try runProgram(penumbra, ["example", "thorax", "--out", folder.path])
        try #require(example.status == 0, "penumbra example failed: \(example.standardError)")
        let second = """
            d.SOPInstanceUID += '.9'; d.file_meta.MediaStorageSOPInstanceUID = d.SOPInstanceUID; d.RTPlanLabel = 'B'
            """
        _ = try Self.editedPlan(second, in: dir, name: "thorax/RTPLAN-B.dcm")
        let otherSeries = try runPython(
            """
            import sys, pydicom
            d = pydicom.dcmread(sys.argv[1])
            d.SOPInstanceUID += '.9'; d.SeriesInstanceUID += '.9'; d.FrameOfReferenceUID += '.9'
            d.save_as(sys.argv[2])
            """, arguments: [folder.appendingPathComponent("CT_0005.dcm").path, folder.appendingPathComponent("CT_other.dcm").path])
        try #require(otherSeries.status == 0, "\(otherSeries.standardError)")
        func run(_ extra: [String]) throws -> ProgramOutput {
            try runProgram(penumbra, [
                "run", folder.path, "--dose-voxel", "2", "--histories", "1000", "--first-round", "1000",
                "--out", dir.appendingPathComponent("out").path, "--log-level", "error",
            ] + extra)
        }
        let two = try run([])
        #expect(two.status != 0 && two.standardError.contains("2 RT Plans") && two.standardError.contains("--plan FILE"),
                "\(two.standardError)")
        let chosen = try run(["--plan", folder.appendingPathComponent("RTPLAN-B.dcm").path])
        #expect(chosen.status == 0, "\(chosen.standardError)")
        let elsewhere = try Self.editedPlan("d.FrameOfReferenceUID = '1.2.3'", in: dir, name: "elsewhere.dcm")
        let refused = try run(["--plan", elsewhere.path])
        #expect(refused.status != 0 && refused.standardError.contains("0 of them are in the plan's frame of reference"), "\(refused.standardError)")
    }

    @Test func unmodelledWedgeAndElectronBeamAreRefused() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-run-refusal")
        defer { try? FileManager.default.removeItem(at: dir) }
        let penumbra = DVHCommandTests.penumbra
        let example = try runProgram(penumbra, ["example", "thorax", "--out", dir.appendingPathComponent("thorax").path])
        try #require(example.status == 0, "penumbra example failed: \(example.standardError)")
        let wedged = try Self.editedPlan(
            """
            b = d.BeamSequence[0]
            w = pydicom.Dataset(); w.WedgeNumber = 1; w.WedgeType = 'STANDARD'; w.WedgeAngle = 30; w.WedgeOrientation = 0
            b.WedgeSequence = [w]; b.NumberOfWedges = 1
            """, in: dir, name: "wedge.dcm")
        let electron = try Self.editedPlan("d.BeamSequence[1].RadiationType = 'ELECTRON'", in: dir, name: "electron.dcm")
        func run(_ plan: URL, _ out: String, _ extra: [String] = []) throws -> ProgramOutput {
            try runProgram(penumbra, [
                "run", "--plan", plan.path, "--water-phantom", "20x20x20", "--dose-voxel", "2", "--histories", "2000",
                "--first-round", "2000", "--out", dir.appendingPathComponent(out).path, "--log-level", "error",
            ] + extra)
        }
        let refusedWedge = try run(wedged, "w")
        #expect(refusedWedge.status != 0)
        #expect(refusedWedge.standardError.contains("1 wedge") && refusedWedge.standardError.contains("--ignore-unmodelled-devices"),
                "\(refusedWedge.standardError)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("w").path))
        let refusedElectron = try run(electron, "e")
        #expect(refusedElectron.status != 0)
        #expect(refusedElectron.standardError.contains("Radiation Type ELECTRON"), "\(refusedElectron.standardError)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("e").path))

        let ignored = try run(wedged, "i", ["--ignore-unmodelled-devices"])
        try #require(ignored.status == 0, "\(ignored.standardError)")
        let summary = try JSONDecoder().decode(
            Summary.self, from: Data(contentsOf: dir.appendingPathComponent("i/summary.json")))
        #expect(summary.ignoredDevices?.count == 1 && summary.ignoredDevices?.first?.contains("wedge") == true)
    }
}
