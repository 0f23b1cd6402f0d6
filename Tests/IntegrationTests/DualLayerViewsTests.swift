import Foundation
import TestSupport
import Testing

/// The views around a dual-layer (Halcyon/Ethos) plan see both MLC layers: `penumbra dicom info` lists them, and the
/// DRR's field is where both are open (docs/drr.md). The plan is `RunDualLayerPlanTests.dualLayerEdit` of the thorax
/// example: MLCX1 open x −4…4 cm over y −4…4 cm, MLCX2 open x −4…1 cm over y −4.5…4.5 cm, so the field is
/// x −4…1, y −4…4.
@Suite struct DualLayerViewsTests {
    @Test func dicomInfoListsBothLayersAndTheDRRFieldIsTheirIntersection() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-dual-layer-views")
        defer { try? FileManager.default.removeItem(at: dir) }
        try RunPlanExportTests.example(in: dir)
        let plan = try RunRefusalTests.editedPlan(
            RunDualLayerPlanTests.dualLayerEdit, in: dir, name: "thorax/RTPLAN.dcm")

        let info = try runProgram(DVHCommandTests.penumbra, ["dicom", "info", plan.path])
        try #require(info.status == 0, "\(info.standardError)")
        #expect(info.standardOutput.contains("MLCX1 28 + MLCX2 29 leaf pairs (dual layer)"), "\(info.standardOutput)")

        let out = dir.appendingPathComponent("drr")
        let run = try runProgram(
            DVHCommandTests.penumbra,
            ["drr", dir.appendingPathComponent("thorax").path, "--out", out.path, "--pixel-mm", "5", "--margin-mm", "10",
             "--no-png"])
        try #require(run.status == 0, "penumbra drr failed: \(run.standardError)")
        let svg = try String(contentsOf: out.appendingPathComponent("drr_G000.svg"), encoding: .utf8)
        let href = try #require(svg.components(separatedBy: "class=\"drr\"").dropFirst().first?
            .components(separatedBy: "data:image/png;base64,").dropFirst().first?.prefix { $0 != "\"" })
        let png = try #require(Data(base64Encoded: String(href)))
        let columns = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, rows = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        // The detector spans the field plus 10 mm each side in 5 mm pixels: (50 + 20) × (80 + 20) mm = 14 × 20 pixels.
        // The distal layer alone would give 100 mm across (20 pixels), the proximal alone 110 mm along (22 pixels).
        #expect(columns == 14 && rows == 20, "DRR is \(columns) × \(rows) pixels")
    }
}
