import Foundation
import TestSupport
import Testing

/// `penumbra dvh` on the dicompyler-core example (RT Dose with the planning system's own DVHs, and its
/// RT Structure Set; fetched by `make deps`), against the DVHs the planning system stored in the RT Dose
/// and against dicompyler-core 0.5.6's calculation.
@Suite struct DVHCommandTests {
    static let data = TestEnvironment.packageRoot.appendingPathComponent(".build/test-data/dicom/dicompyler-core")

    /// The `penumbra` executable that `swift build` put beside the test bundle.
    static var penumbra: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("penumbra")
    }

    struct Row: Decodable {
        let structure: String
        let volumeCM3: Double
        let meanGy: Double
        let maxGy: Double
    }

    struct Output: Decodable { let structures: [Row] }

    /// Volume and mean of each structure: the planning system's DVH from the RT Dose's DVH Sequence and
    /// dicompyler-core's own calculation.
    static let referenceScript = """
        import json, sys, warnings
        warnings.filterwarnings("ignore")
        from dicompylercore import dicomparser, dvhcalc
        rs, rd = sys.argv[1], sys.argv[2]
        structures = dicomparser.DicomParser(rs).GetStructures()
        tps = dicomparser.DicomParser(rd).GetDVHs()
        out = {}
        for key, s in structures.items():
            if s["name"] not in sys.argv[3:]:
                continue
            calc = dvhcalc.get_dvh(rs, rd, key)
            out[s["name"]] = {"tps": [tps[key].volume, tps[key].mean], "dicompyler": [calc.volume, calc.mean]}
        print(json.dumps(out))
        """

    /// Structures of at least 300 cc: volume and mean dose within 1 % of the planning system's DVH
    /// (issue 9). Measured (docs/dvh.md): Heart +0.52 %/+0.58 %, Breast +0.95 %/−0.76 %, Lt Lung
    /// −0.17 %/+0.41 %.
    /// `--curves DIR`: the cumulative and the differential DVH of each structure as CSV; the differential
    /// volumes add up to the structure's volume and to the cumulative curve's value at 0 Gy.
    @Test func curvesAreWrittenCumulativeAndDifferential() throws {
        try #require(
            FileManager.default.fileExists(atPath: Self.data.appendingPathComponent("rtdose.dcm").path),
            "run `make deps` to fetch the dicompyler-core example")
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-dvh-curves")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try runProgram(
            Self.penumbra,
            ["dvh", Self.data.appendingPathComponent("rtdose.dcm").path, "--structures",
                Self.data.appendingPathComponent("rtss.dcm").path, "--structure", "Heart", "--curves", directory.path,
                "--curve-bin-gy", "0.5", "--format", "json"])
        try #require(run.status == 0, "penumbra dvh failed: \(run.standardError)")
        let heart = try #require(try JSONDecoder().decode(Output.self, from: Data(run.standardOutput.utf8)).structures.first)
        func volumes(_ file: String) throws -> [Double] {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let lines = text.split(separator: "\r\n")
            #expect(lines.first == "dose_gy,volume_cc,volume_percent")
            return lines.dropFirst().map { Double($0.split(separator: ",")[1])! }
        }
        let cumulative = try volumes("Heart.csv"), differential = try volumes("Heart-differential.csv")
        // Volumes are printed to 1e-5 cc: their sum over a few hundred bins is exact to well under 0.01 cc.
        #expect(abs(differential.reduce(0, +) - heart.volumeCM3) < 0.01)
        #expect(abs(cumulative[0] - heart.volumeCM3) < 0.01)
        #expect(differential.allSatisfy { $0 >= -1e-5 })
    }

    @Test func largeStructuresAgreeWithThePlanningSystemWithinOnePercent() throws {
        let names = ["Heart", "Breast", "Lt Lung"]
        try #require(
            FileManager.default.fileExists(atPath: Self.data.appendingPathComponent("rtdose.dcm").path),
            "run `make deps` to fetch the dicompyler-core example")
        let run = try runProgram(
            Self.penumbra,
            ["dvh", Self.data.appendingPathComponent("rtdose.dcm").path, "--structures",
                Self.data.appendingPathComponent("rtss.dcm").path, "--format", "json"]
                + names.flatMap { ["--structure", $0] })
        try #require(run.status == 0, "penumbra dvh failed: \(run.standardError)")
        let ours = try JSONDecoder().decode(Output.self, from: Data(run.standardOutput.utf8)).structures
        let reference = try runPython(
            Self.referenceScript,
            arguments: [Self.data.appendingPathComponent("rtss.dcm").path, Self.data.appendingPathComponent("rtdose.dcm").path]
                + names)
        try #require(reference.status == 0, "dicompyler-core failed: \(reference.standardError)")
        let values = try #require(
            try JSONSerialization.jsonObject(with: Data(reference.standardOutput.utf8)) as? [String: [String: [Double]]])
        #expect(Set(ours.map(\.structure)) == Set(names))
        for row in ours {
            let tps = try #require(values[row.structure]?["tps"])
            let dicompyler = try #require(values[row.structure]?["dicompyler"])
            let volume = 100 * (row.volumeCM3 / tps[0] - 1), mean = 100 * (row.meanGy / tps[1] - 1)
            print(
                String(
                    format: "%@: volume %.2f cc (TPS %.2f, %+.2f %%; dicompyler-core %.2f), mean %.4f Gy (TPS %.4f, %+.2f %%; dicompyler-core %.4f)",
                    row.structure, row.volumeCM3, tps[0], volume, dicompyler[0], row.meanGy, tps[1], mean, dicompyler[1]))
            #expect(abs(volume) <= 1, "\(row.structure) volume")
            #expect(abs(mean) <= 1, "\(row.structure) mean dose")
        }
    }
}
