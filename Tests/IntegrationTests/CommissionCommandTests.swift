import Foundation
import TestSupport
import Testing

/// `penumbra commission --measured` end to end with few histories (debug): the scans are read, the fit runs,
/// a calibrated machine file and a report with gamma pass rates and output-factor ratios are written, and bad
/// scans are refused naming the file. Whether the fit recovers a known filtration is `PenetrationFitTests`.
@Suite struct CommissionCommandTests {
    @Test func commissionFitsMeasuredScansAndWritesAReport() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-commission")
        let scans = dir.appendingPathComponent("scans")
        try FileManager.default.createDirectory(at: scans, withIntermediateDirectories: true)
        // A 6 MV-like depth dose: build-up to 1.5 cm, then 66.6 % at 10 cm (the generic-6x target).
        let mu = -log(0.666) / 8.5
        let rows = stride(from: 0.25, through: 25, by: 0.25).map { d -> String in
            let value = d < 1.5 ? 100 * (0.5 + 0.5 * d / 1.5) : 100 * exp(-mu * (d - 1.5))
            return "\(d),\(value)"
        }
        try ("depth_cm,dose\n" + rows.joined(separator: "\n") + "\n")
            .write(to: scans.appendingPathComponent("pdd_10x10.csv"), atomically: true, encoding: .utf8)
        try "field_cm,output_factor\n5,0.91\n10,1\n15,1.04\n".write(to: scans.appendingPathComponent("output_factors.csv"),
                                                           atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("fitted")
        let penumbra = DVHCommandTests.penumbra
        let result = try runProgram(penumbra, ["commission", "--machine", "generic-6x", "--measured", scans.path, "--out", out.path,
                                               "--histories", "60000", "--iterations", "2", "--threads", "2"])
        try #require(result.status == 0, "penumbra commission failed: \(result.standardError)")
        let machine = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("machine.json"))) as! [String: Any]
        let calibration = machine["calibration"] as! [String: Any]
        #expect((calibration["proposalsPerCM2PerMU"] as? Double ?? 0) > 0)
        let report = try JSONSerialization.jsonObject(
            with: Data(contentsOf: out.appendingPathComponent("commissioning-report.json"))) as! [String: Any]
        let steps = report["steps"] as! [[String: Any]]
        #expect((1...2).contains(steps.count))
        // Each run of the fit is weighed by its standard error from batches, and the report says whether it converged.
        #expect(steps.allSatisfy { ($0["simulatedStandardErrorPercent"] as? Double ?? 0) > 0 && $0["pooledPDD10Percent"] is Double })
        #expect(report["converged"] is Bool)
        let pdd = (report["depthDoses"] as! [[String: Any]]).first!
        let pass = pdd["gammaPassPercent"] as! Double
        #expect(pass >= 0 && pass <= 100)
        let factors = report["outputFactors"] as! [[String: Any]]
        #expect(factors.map { $0["fieldCM"] as! Double } == [5, 10, 15])
        #expect(abs((factors[1]["simulated"] as! Double) - 1) < 1e-12)  // 10×10 is the reference
        // Two fields besides 10×10: the head-scatter source is fitted and written to the machine file.
        let headScatter = try #require(report["headScatter"] as? [String: Any])
        let extraFocal = machine["extraFocalSource"] as! [String: Any]
        #expect(extraFocal["weight"] as? Double == headScatter["weight"] as? Double)
        #expect((headScatter["fields"] as! [[String: Any]]).map { $0["fieldCM"] as! Double } == [5, 15])
        // The plots beside the report: the measured depth dose with its simulation, the output factors with the fit.
        #expect(report["plots"] as? [String] == ["depth-dose-10x10.svg", "output-factors.svg", "output-factor-differences.svg"])
        #expect(try Self.plottedCurves(out.appendingPathComponent("depth-dose-10x10.svg")) == ["measured": 100, "simulated": 120])
        #expect(try Self.plottedCurves(out.appendingPathComponent("output-factors.svg"))
                == ["measured": 3, "simulated": 3, "head-scatter fit": 3])
        #expect(try Self.plottedCurves(out.appendingPathComponent("output-factor-differences.svg"))
                == ["simulated − measured": 3, "head-scatter fit − measured": 3, "+2 %": 2, "−2 %": 2])

        try "depth_cm,dose\n1,2\n".write(to: scans.appendingPathComponent("pdd_5x4.csv"), atomically: true, encoding: .utf8)
        let bad = try runProgram(penumbra, ["commission", "--machine", "generic-6x", "--measured", scans.path, "--out", out.path])
        #expect(bad.status != 0)
        #expect(bad.standardError.contains("pdd_5x4.csv"))
    }

    /// `penumbra machine commission --fit-pdd10`: the generic machines' own commissioning (docs/beam-model.md). The
    /// written machine is the fit's last simulated one, its reference field is that simulation (not a new run), and
    /// a PDD(10) that is not a percentage is refused. Whether the fit converges is `PenetrationFitTests`.
    @Test func machineCommissionFitsTheFiltrationToAPDD10() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-machine-fit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("machine")
        let penumbra = DVHCommandTests.penumbra
        let result = try runProgram(penumbra, ["machine", "commission", "--machine", "generic-6x", "--fields", "5,10",
                                               "--histories", "60000", "--fit-pdd10", "62", "--iterations", "2",
                                               "--threads", "2", "--out", out.path])
        try #require(result.status == 0, "penumbra machine commission failed: \(result.standardError)")
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("commissioning.json")))
            as! [String: Any]
        let steps = record["fit"] as! [[String: Any]]
        try #require((1...2).contains(steps.count))
        #expect(steps.allSatisfy { ($0["simulatedStandardErrorPercent"] as? Double ?? 0) > 0 })
        #expect(record["fitConverged"] is Bool)
        let machine = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("machine.json"))) as! [String: Any]
        let spectrum = machine["spectrum"] as! [String: Any]
        #expect(spectrum["filterCentralGPerCM2"] as? Double == steps.last!["filterCentralGPerCM2"] as? Double)
        let fields = record["fields"] as! [[String: Any]]
        #expect(fields.map { $0["fieldCM"] as! Double } == [5, 10])
        #expect(fields[1]["pdd10Percent"] as? Double == steps.last!["simulatedPDD10Percent"] as? Double)
        #expect(((machine["calibration"] as! [String: Any])["proposalsPerCM2PerMU"] as? Double ?? 0) > 0)

        let bad = try runProgram(penumbra, ["machine", "commission", "--machine", "generic-6x", "--fit-pdd10", "0.666",
                                            "--out", out.path])
        #expect(bad.status != 0)
        #expect(bad.standardError.contains("--fit-pdd10"))
    }

    /// `penumbra machine commission --fit-output-factors --batches 2 --equal-axis-precision`: the head scatter is fitted to
    /// the machine's documented table and written with the scaled calibration, each field gets proposals for an equal
    /// axis precision and standard errors from its batches, and a field list that misses a table field is refused.
    /// Whether the fit recovers a known source is `HeadScatterFitTests`.
    @Test func machineCommissionFitsTheHeadScatterToTheTable() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-machine-head-scatter")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("machine")
        let penumbra = DVHCommandTests.penumbra
        let result = try runProgram(penumbra, ["machine", "commission", "--machine", "generic-6x", "--fields", "2,3,4,6,10,20,30,40",
                                               "--histories", "2000", "--batches", "2", "--equal-axis-precision",
                                               "--fit-output-factors", "--threads", "2", "--out", out.path])
        try #require(result.status == 0, "penumbra machine commission failed: \(result.standardError)")
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("commissioning.json")))
            as! [String: Any]
        let fields = record["fields"] as! [[String: Any]]
        let proposals = Dictionary(uniqueKeysWithValues: fields.map {
            ($0["fieldCM"] as! Double, ($0["histories"] as! NSNumber).intValue)
        })
        #expect(proposals[10] == 2000)
        // More proposals for the 2×2 field's single 0.5 cm axis column, fewer for 40×40's wide columns.
        #expect(proposals[2]! > proposals[10]! && proposals[40]! < proposals[10]!)
        for field in fields {
            let batches = try #require(field["batchUncertainty"] as? [String: Any])
            #expect((batches["batches"] as? NSNumber)?.intValue == 2)
            // The reference field has no output-factor σ of its own (a batch too small to fit would have none either).
            if field["fieldCM"] as! Double == 10 { #expect(field["outputFactorUncertainty"] == nil) }
        }
        let headScatter = try #require(record["headScatter"] as? [String: Any])
        #expect((headScatter["fields"] as! [[String: Any]]).map { $0["fieldCM"] as! Double } == [2, 3, 4, 6, 20, 30, 40])
        let machine = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("machine.json"))) as! [String: Any]
        let extraFocal = machine["extraFocalSource"] as! [String: Any]
        #expect(extraFocal["weight"] as? Double == headScatter["weight"] as? Double)
        #expect(extraFocal["sigmaCM"] as? Double == headScatter["sigmaCM"] as? Double)
        #expect(record["plots"] as? [String] == ["depth-doses.svg", "output-factors.svg", "output-factor-differences.svg"])
        let depthDoses = try Self.plottedCurves(out.appendingPathComponent("depth-doses.svg"))
        #expect(depthDoses.keys.sorted() == ["10×10 cm", "20×20 cm", "2×2 cm", "30×30 cm", "3×3 cm", "40×40 cm", "4×4 cm", "6×6 cm"])
        #expect(depthDoses.values.allSatisfy { $0 == 120 })  // 30 cm of water in 0.25 cm depth voxels
        #expect(try Self.plottedCurves(out.appendingPathComponent("output-factors.svg"))
                == ["simulated": 8, "table": 8, "head-scatter fit": 8])
        #expect(try Self.plottedCurves(out.appendingPathComponent("output-factor-differences.svg"))
                == ["simulated − table": 8, "head-scatter fit − table": 8, "+2 %": 2, "−2 %": 2])

        // --pool: the same run pooled with itself has its own output factors (weights ∝ proposals), twice the proposals,
        // and --histories 0 simulates nothing; a record of another machine is refused.
        let recordFile = out.appendingPathComponent("commissioning.json")
        let pooledOut = dir.appendingPathComponent("pooled")
        let pooled = try runProgram(penumbra, ["machine", "commission", "--machine", "generic-6x", "--histories", "0",
                                               "--pool", recordFile.path, "--pool", recordFile.path, "--out", pooledOut.path])
        try #require(pooled.status == 0, "penumbra machine commission --pool failed: \(pooled.standardError)")
        let pooledFields = (try JSONSerialization.jsonObject(with: Data(contentsOf: pooledOut.appendingPathComponent("commissioning.json")))
            as! [String: Any])["fields"] as! [[String: Any]]
        #expect(pooledFields.map { $0["fieldCM"] as! Double } == fields.map { $0["fieldCM"] as! Double })
        for (a, b) in zip(pooledFields, fields) {
            #expect((a["histories"] as! NSNumber).intValue == 2 * (b["histories"] as! NSNumber).intValue)
            #expect(abs((a["outputFactor"] as! Double) / (b["outputFactor"] as! Double) - 1) < 1e-12)
        }
        let tenMV = try runProgram(penumbra, ["machine", "commission", "--machine", "generic-10x", "--histories", "0",
                                              "--pool", recordFile.path, "--out", pooledOut.path])
        #expect(tenMV.status != 0)
        #expect(tenMV.standardError.contains("another machine"))

        let bad = try runProgram(penumbra, ["machine", "commission", "--machine", "generic-6x", "--fields", "2,10", "--histories",
                                            "1000", "--fit-output-factors", "--threads", "2", "--out", out.path])
        #expect(bad.status != 0)
        #expect(bad.standardError.contains("3, 4, 6, 20, 30, 40 cm"))
    }

    /// The curves of a `LinePlot` SVG, read back with Python's XML parser: each series' name (its `<title>`) and number
    /// of points. The file must parse as XML.
    static func plottedCurves(_ svg: URL) throws -> [String: Int] {
        let script = """
            import sys, xml.etree.ElementTree as ET
            ns = '{http://www.w3.org/2000/svg}'
            for line in ET.parse(sys.argv[1]).getroot().iter(ns + 'polyline'):
                if line.get('class') == 'series':
                    print(line.find(ns + 'title').text + '\\t' + str(len(line.get('points').split())))
            """
        let result = try runPython(script, arguments: [svg.path])
        guard result.status == 0 else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: svg.path]) }
        return Dictionary(uniqueKeysWithValues: result.standardOutput.split(separator: "\n").map { row in
            let parts = row.split(separator: "\t")
            return (String(parts[0]), Int(parts[1]) ?? -1)
        })
    }
}
