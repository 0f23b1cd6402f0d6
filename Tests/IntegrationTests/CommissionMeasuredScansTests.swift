import Foundation
import TestSupport
import Testing

/// `penumbra commission --measured` with profiles and MLC scans, end to end with few histories (debug): the focal
/// source size is fitted to the profile's penumbra and the profile compared by gamma, the MLC transmission and leaf-end
/// offset are fitted to closed-leaf and sweeping-gap readings, the tongue-and-groove width to a picket fence and a leaf-end
/// offset by tip position to measured edges, all written to the machine file. Whether the fits recover known parameters
/// is `SourceSizeFitTests`, `MLCFitTests`, `TongueAndGrooveFitTests` and `MLCEdgeFitTests`.
@Suite struct CommissionMeasuredScansTests {
    @Test func profilesAndMLCScansAreFitted() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-commission-mlc")
        defer { try? FileManager.default.removeItem(at: dir) }
        let scans = dir.appendingPathComponent("scans")
        try FileManager.default.createDirectory(at: scans, withIntermediateDirectories: true)
        func write(_ name: String, _ text: String) throws {
            try text.write(to: scans.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let mu = -log(0.666) / 8.5
        try write("pdd_10x10.csv", "depth_cm,dose\n" + stride(from: 0.25, through: 25, by: 0.25).map { d in
            "\(d),\(d < 1.5 ? 100 * (0.5 + 0.5 * d / 1.5) : 100 * exp(-mu * (d - 1.5)))"
        }.joined(separator: "\n") + "\n")
        // A 10×10 profile at 10 cm (50 % width 11 cm), erf edges whose 80–20 % width is 0.5 cm (σ 0.297 cm).
        try write("profile_10x10_d10.csv", "position_cm,dose\n" + stride(from: -9.0, through: 9.0, by: 0.1).map { x in
            "\(x),\(0.5 * (erf((5.5 - x) / (0.297 * 2.0.squareRoot())) + erf((5.5 + x) / (0.297 * 2.0.squareRoot()))))"
        }.joined(separator: "\n") + "\n")
        try write("mlc_transmission.csv", "depth_cm,ratio\n10,0.016\n")
        // Readings of a fluence model with T = 0.016 and a 1.6 mm dosimetric leaf gap (LoSasso et al. 1998).
        try write("sweeping_gap.csv", "gap_cm,sweep_cm,ratio\n" + [0.2, 0.6, 1.0, 2.0].map { g in
            "\(g),6,\(0.016 + 0.984 * (g + 0.16) / 6)"
        }.joined(separator: "\n") + "\n")
        // A picket fence of 0.5 cm pairs: at the level 1 + T = 1.016 away from the boundaries, a triangular dip 0.2 cm wide at
        // each, 60 % deep: 0.6 × 0.1 = 0.06 cm missing per boundary (read every 0.5 mm over three pairs).
        try write("picket_fence_p0.5.csv", "position_cm,ratio\n" + (0...30).map { k in
            let y = -0.75 + 0.05 * Double(k), phase = abs(y.remainder(dividingBy: 0.5))
            return "\(y),\(1.016 * (1 - 0.6 * max(0, 1 - phase / 0.1)))"
        }.joined(separator: "\n") + "\n")
        // Tip edges of an MLC calibrated so that the edge lies 0.7 mm beyond the tip at −5 cm (across the axis), 0.6 mm on the
        // axis and 0.4 mm at 5 cm (retracted).
        try write("mlc_edges.csv", "leaf_position_cm,edge_cm\n-5,-4.93\n0,0.06\n5,5.04\n")
        let out = dir.appendingPathComponent("fitted")
        let result = try runProgram(DVHCommandTests.penumbra, [
            "commission", "--machine", "generic-6x", "--measured", scans.path, "--out", out.path, "--histories", "60000",
            "--iterations", "1", "--source-iterations", "2", "--threads", "2",
        ])
        try #require(result.status == 0, "penumbra commission failed: \(result.standardError)")
        let machine = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("machine.json"))) as! [String: Any]
        let report = try JSONSerialization.jsonObject(
            with: Data(contentsOf: out.appendingPathComponent("commissioning-report.json"))) as! [String: Any]
        let profiles = try #require(report["profiles"] as? [[String: Any]])
        #expect(profiles.count == 1)
        let pass = try #require(profiles.first?["gammaPassPercent"] as? Double)
        #expect(pass >= 0 && pass <= 100)
        let sourceSize = try #require(report["sourceSize"] as? [String: Any])
        #expect((sourceSize["steps"] as! [[String: Any]]).count == 2)
        let sigma = try #require(sourceSize["sigmaCM"] as? Double)
        #expect(sigma >= 0 && sigma <= 0.5)
        #expect((machine["primarySource"] as! [String: Any])["sigmaCM"] as? Double == sigma)
        let mlc = try #require(report["mlc"] as? [String: Any])
        let fittedMLC = machine["mlc"] as! [String: Any]
        #expect(fittedMLC["transmission"] as? Double == 0.016)
        // The in-air prediction of the fluence model gives DLG = 2 × offset to ≈ 0.01 mm (docs/beam-model.md): the offset
        // lands within 0.05 mm of 0.8 mm.
        let offset = try #require(fittedMLC["leafEndOffsetCM"] as? Double)
        #expect(abs(offset - 0.08) < 0.005, "offset \(offset)")
        #expect(mlc["leafEndOffsetCM"] as? Double == offset)
        #expect(abs((mlc["measuredLeafGapCM"] as! Double) - 0.16) < 1e-9)
        // The band whose in-air missing width w·(1 − T)/(1 + T) is 0.06 cm: 0.0619 cm, within the in-air scan's 0.001 cm
        // points.
        let tongueAndGroove = try #require(mlc["tongueAndGroove"] as? [String: Any])
        #expect(abs((tongueAndGroove["measuredMissingWidthCM"] as! Double) - 0.06) < 1e-9)
        #expect(tongueAndGroove["startWidthCM"] as? Double == 0.05)
        let width = try #require(fittedMLC["tongueAndGrooveWidthCM"] as? Double)
        #expect(abs(width - 0.06 * 1.016 / 0.984) < 0.0015, "width \(width)")
        #expect(tongueAndGroove["widthCM"] as? Double == width)
        #expect((report["plots"] as? [String])?.contains("picket-fence.svg") == true)
        let svg = try String(contentsOf: out.appendingPathComponent("picket-fence.svg"), encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("fitted 0.6"))
        // The offset by tip position: the model's in-air edges meet the measured ones (the fit stops within 0.01 mm, read on
        // 0.01 mm points), the table holds the three positions and lies near edge − position (the sources move an in-air
        // 50 % point by ≈ 0.1 mm, docs/beam-model.md).
        let table = try #require(fittedMLC["leafEndOffsetTable"] as? [String: Any])
        #expect(table["positionCM"] as? [Double] == [-5, 0, 5])
        let offsets = try #require(table["offsetCM"] as? [Double])
        for (o, expected) in zip(offsets, [0.07, 0.06, 0.04]) { #expect(abs(o - expected) < 0.02, "\(offsets)") }
        let edgeFit = try #require(mlc["leafEndOffsetTable"] as? [String: Any])
        let steps = try #require(edgeFit["steps"] as? [[String: Any]])
        #expect((steps.last?["rmsEdgeDifferenceCM"] as? Double ?? 1) < 0.002)
        // It starts from the constant the sweeping gap gave; that constant stays in the file, the table takes over from it.
        #expect(edgeFit["startOffsetCM"] as? [Double] == [offset, offset, offset])

        try write("sweeping_gap.csv", "gap_cm,sweep_cm,ratio\n0.2,6,0.05\n")
        let bad = try runProgram(DVHCommandTests.penumbra, ["commission", "--machine", "generic-6x", "--measured", scans.path,
                                                            "--out", out.path])
        #expect(bad.status != 0)
        #expect(bad.standardError.contains("sweeping_gap.csv"))
    }
}
