import Foundation
import TestSupport
import Testing

/// `penumbra run` on a Halcyon/Ethos-style plan (docs/beam-model.md, "Dual-layer MLC"): 6 MV FFF, MLCX1 + MLCX2, no
/// jaws. It is computed with the dual-layer generic machine, its field shaped by both layers; on a single-layer
/// machine it is refused with what to use.
@Suite struct RunDualLayerPlanTests {
    /// The thorax example's beam 1 (gantry 0) as a dual-layer beam: the distal layer (MLCX1, 28 pairs) open −4…4 cm
    /// over the pairs within 4 cm of the axis, the proximal layer (MLCX2, 29 pairs) open −4…1 cm within 4.5 cm; every
    /// other pair closed at −12 cm. The field is x −4…1 (set by the proximal layer on +x), y −4…4 (by the distal one).
    static let dualLayerEdit = """
        from pydicom.dataset import Dataset
        def device(kind, **kw):
            x = Dataset(); x.RTBeamLimitingDeviceType = kind
            for k, v in kw.items(): setattr(x, k, v)
            return x
        def banks(pairs, low, a, b, half):
            centres = [low + 10 * k + 5 for k in range(pairs)]
            return [a if abs(c) < half else -120 for c in centres] + [b if abs(c) < half else -120 for c in centres]
        beam = d.BeamSequence[0]; d.BeamSequence = [beam]
        group = d.FractionGroupSequence[0]; group.ReferencedBeamSequence = group.ReferencedBeamSequence[:1]; group.NumberOfBeams = 1
        mode = Dataset(); mode.FluenceMode = 'NON_STANDARD'; mode.FluenceModeID = 'FFF'
        beam.PrimaryFluenceModeSequence = [mode]
        beam.BeamLimitingDeviceSequence = [
            device('MLCX1', NumberOfLeafJawPairs=28, LeafPositionBoundaries=[-140 + 10 * k for k in range(29)]),
            device('MLCX2', NumberOfLeafJawPairs=29, LeafPositionBoundaries=[-145 + 10 * k for k in range(30)])]
        for cp in beam.ControlPointSequence:
            cp.BeamLimitingDevicePositionSequence = [
                device('MLCX1', LeafJawPositions=banks(28, -140, -40, 40, 40)),
                device('MLCX2', LeafJawPositions=banks(29, -145, -40, 10, 45))]
        """

    @Test func aDualLayerPlanIsComputedWithBothLayersOrRefused() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-run-dual-layer")
        defer { try? FileManager.default.removeItem(at: dir) }
        try RunPlanExportTests.example(in: dir)
        let plan = try RunRefusalTests.editedPlan(Self.dualLayerEdit, in: dir, name: "dual.dcm")

        // A single-layer machine of the right mode cannot collimate it: refused before any output.
        let single = try RunPlanExportTests.run(plan, in: dir, "single", ["--machine", "generic-6fff"])
        #expect(single.status != 0 && single.standardError.contains("the plan places 2 MLC layers but machine 'generic-6fff' has 1")
                    && single.standardError.contains("generic-6fff-dual"), "\(single.standardError)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("single").path))

        // Without --machine the plan's mode and MLC choose generic-6fff-dual.
        let run = try RunPlanExportTests.run(plan, in: dir, "dual", histories: 60_000)
        try #require(run.status == 0, "\(run.standardError)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("dual/summary.json")))
        #expect((summary as? [String: Any])?["machine"] as? String == "generic-6fff-dual")
        #expect(try RunPlanExportTests.summary(dir, "dual").beams.map(\.number) == [1])
        // Dose in the columns at x −4…−2 cm from the isocentre (inside both layers' openings) against x 2…4 cm (inside
        // the distal layer's opening, 1–3 cm beyond the proximal layer's edge), within 3 cm of the isocentre in z.
        let ratio = try runPython(
            """
            import sys
            t = open(sys.argv[1]).read().split()
            nx, ny, nz = int(t[0]), int(t[1]), int(t[2])
            b = [float(v) for v in t[3:3 + nx + ny + nz + 3]]
            xb, zb = b[:nx + 1], b[nx + ny + 2:]
            dose = [float(v) for v in t[3 + nx + ny + nz + 3:][:nx * ny * nz]]
            isox, isoz = 10.0, 2.5
            def column(low, high):
                return sum(dose[(k * ny + j) * nx + i] for k in range(nz) for j in range(ny) for i in range(nx)
                           if low < (xb[i] + xb[i + 1]) / 2 - isox < high and abs((zb[k] + zb[k + 1]) / 2 - isoz) < 3)
            print(column(-4, -2) / column(2, 4))
            """, arguments: [dir.appendingPathComponent("dual/dose.3ddose").path])
        try #require(ratio.status == 0, "\(ratio.standardError)")
        let inOverOut = try #require(Double(ratio.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)))
        // Beyond the proximal edge only phantom scatter and 0.4 % leakage reach: a 6 MV 2 cm strip 1–3 cm outside a
        // field gets ≈ 5–15 % of the in-field dose; had the proximal layer been ignored the two columns would be equal
        // within the FFF profile (≈ 0.9) and the noise of 60 k proposals.
        #expect(inOverOut > 3, "in-field / beyond the proximal edge: \(inOverOut)")
    }
}
