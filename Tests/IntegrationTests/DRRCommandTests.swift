import Foundation
import TestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `penumbra drr` on `penumbra example thorax`: one SVG and one PNG per beam, each SVG well-formed with
/// the radiograph, the field and the structures.
@Suite struct DRRCommandTests {
    @Test func writesOneDRRPerBeamOfTheThoraxExample() throws {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-drr")
        defer { try? FileManager.default.removeItem(at: directory) }
        let patient = directory.appendingPathComponent("thorax"), out = directory.appendingPathComponent("drr")
        let example = try runProgram(DVHCommandTests.penumbra, ["example", "thorax", "--out", patient.path])
        try #require(example.status == 0, "penumbra example failed: \(example.standardError)")
        // 4 mm pixels keep the debug build fast; the geometry is tested in AnalysisTests.
        let run = try runProgram(
            DVHCommandTests.penumbra, ["drr", patient.path, "--out", out.path, "--pixel-mm", "4"])
        try #require(run.status == 0, "penumbra drr failed: \(run.standardError)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        // The thorax plan's four fields (docs/thorax-example.md).
        let beams = ["G000", "G055", "G125", "G180"]
        #expect(files == beams.flatMap { ["drr_\($0).png", "drr_\($0).svg"] })
        for beam in beams {
            let svg = try Data(contentsOf: out.appendingPathComponent("drr_\(beam).svg"))
            let parser = XMLParser(data: svg)
            #expect(parser.parse(), "drr_\(beam).svg is not well-formed")
            let text = String(decoding: svg, as: UTF8.self)
            #expect(text.contains("class=\"drr\"") && text.contains("class=\"field\"") && text.contains("<title>PTV</title>"))
            let png = try Data(contentsOf: out.appendingPathComponent("drr_\(beam).png"))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        }
        // A folder without a plan is refused with a message, not a crash.
        let empty = directory.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let refused = try runProgram(DVHCommandTests.penumbra, ["drr", empty.path, "--out", out.path])
        #expect(refused.status != 0 && refused.standardError.contains("no RT Plan"))
        // The report refuses a plan folder whose frame of reference is not the dose's.
        let data = DVHCommandTests.data
        if FileManager.default.fileExists(atPath: data.appendingPathComponent("rtdose.dcm").path) {
            let report = try runProgram(
                DVHCommandTests.penumbra,
                ["report", "--dose", data.appendingPathComponent("rtdose.dcm").path, "--structures",
                    data.appendingPathComponent("rtss.dcm").path, "--plan", patient.path, "--out",
                    directory.appendingPathComponent("r.html").path])
            #expect(report.status != 0 && report.standardError.contains("another frame of reference"))
        }
    }

    /// An arc (docs/drr.md): one DRR at its first control point, with the union of the field over the
    /// arc. The thorax example's first beam becomes an arc from 0° to 90° whose last control point opens
    /// the X jaw to 80 mm with the MLC retracted; the image must reach that jaw (plus the margin).
    @Test func arcShowsTheUnionOfItsFieldsAtItsFirstControlPoint() throws {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-drr-arc")
        defer { try? FileManager.default.removeItem(at: directory) }
        let patient = directory.appendingPathComponent("thorax"), out = directory.appendingPathComponent("drr")
        let example = try runProgram(DVHCommandTests.penumbra, ["example", "thorax", "--out", patient.path])
        try #require(example.status == 0, "penumbra example failed: \(example.standardError)")
        let arc = try runPython(
            """
            import copy, sys, pydicom
            path = sys.argv[1] + "/RTPLAN.dcm"
            plan = pydicom.dcmread(path)
            beam = plan.BeamSequence[0]
            beam.BeamType = "DYNAMIC"
            first, last = beam.ControlPointSequence[0], beam.ControlPointSequence[1]
            first.GantryRotationDirection = "CW"
            last.GantryAngle = 90
            positions = copy.deepcopy(first.BeamLimitingDevicePositionSequence)
            for device in positions:
                if device.RTBeamLimitingDeviceType == "ASYMX":
                    device.LeafJawPositions = [-20, 80]
                if device.RTBeamLimitingDeviceType == "MLCX":
                    half = len(device.LeafJawPositions) // 2
                    device.LeafJawPositions = [-200] * half + [200] * half
            last.BeamLimitingDevicePositionSequence = positions
            plan.save_as(path)
            """, arguments: [patient.path])
        try #require(arc.status == 0, "pydicom: \(arc.standardError)")
        let run = try runProgram(
            DVHCommandTests.penumbra, ["drr", patient.path, "--out", out.path, "--pixel-mm", "5", "--margin-mm", "20", "--no-png"])
        try #require(run.status == 0, "penumbra drr failed: \(run.standardError)")
        let svg = try String(contentsOf: out.appendingPathComponent("drr_G000.svg"), encoding: .utf8)
        #expect(svg.contains("arc 0.0° → 90.0° CW, field: union over 2 control points"))
        // The image spans the union's Xb extent plus 2 × 20 mm: its left edge is the first control
        // point's field (MLC-shaped, within its jaw at −35 mm), its right edge the last one's jaw at 80 mm.
        // Read the DRR's width in pixels from the embedded PNG's header.
        let href = try #require(svg.components(separatedBy: "class=\"drr\"").dropFirst().first?
            .components(separatedBy: "data:image/png;base64,").dropFirst().first?.prefix { $0 != "\"" })
        let png = try #require(Data(base64Encoded: String(href)))
        let columns = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let widthMM = Double(columns) * 5
        // Without the union the image would be at most 72 + 40 = 112 mm wide; with it 100 mm + the left
        // part of the first field (0–35 mm) + 40 mm; a pixel of rounding either way.
        #expect(widthMM >= 140 - 5 && widthMM <= 175 + 5, "DRR is \(widthMM) mm wide")
    }

    /// `penumbra report --plan` on the dicompyler-core example (CT slice, plan, structures and dose in one
    /// frame): the beam table and one DRR per beam in the HTML.
    @Test func reportWithPlanHasBeamTableAndDRRs() throws {
        let data = DVHCommandTests.data
        try #require(FileManager.default.fileExists(atPath: data.appendingPathComponent("rtplan.dcm").path), "run `make deps`")
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-report-plan")
        defer { try? FileManager.default.removeItem(at: directory) }
        let html = directory.appendingPathComponent("report.html")
        let run = try runProgram(
            DVHCommandTests.penumbra,
            ["report", "--dose", data.appendingPathComponent("rtdose.dcm").path, "--structures",
                data.appendingPathComponent("rtss.dcm").path, "--structure", "Heart", "--plan", data.path,
                "--out", html.path])
        try #require(run.status == 0, "penumbra report --plan failed: \(run.standardError)")
        let text = try String(contentsOf: html, encoding: .utf8)
        #expect(text.contains("<h2>Beams</h2>") && text.contains("<td>4 AP</td>"))
        #expect(text.components(separatedBy: "class=\"drr\"").count - 1 == 4)
    }
}
