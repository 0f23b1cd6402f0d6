import Foundation
import TestSupport
import Testing

/// `penumbra run` end to end on the thorax example: commission a calibrated generic 6 MV machine file with
/// few histories, run the plan in the CT at a loose uncertainty (debug build), and open its RT Dose with
/// pydicom. Physics accuracy is not the point here (docs/beam-model.md); the chain is.
@Suite struct RunCommandTests {
    @Test func thoraxExampleRunsEndToEndAndItsRTDoseOpensInPydicom() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-run")
        let patient = dir.appendingPathComponent("thorax")
        let penumbra = DVHCommandTests.penumbra
        let example = try runProgram(penumbra, ["example", "thorax", "--out", patient.path])
        try #require(example.status == 0, "penumbra example failed: \(example.standardError)")
        let commission = try runProgram(penumbra, ["machine", "commission", "--machine", "generic-6x", "--fields", "10",
                                                   "--histories", "100000", "--out", dir.appendingPathComponent("machine").path])
        try #require(commission.status == 0, "penumbra machine commission failed: \(commission.standardError)")
        let out = dir.appendingPathComponent("out")
        let run = try runProgram(penumbra, ["run", patient.path, "--machine", dir.appendingPathComponent("machine/machine.json").path,
                                            "--uncertainty", "40%", "--dose-voxel", "1", "--out", out.path])
        try #require(run.status == 0, "penumbra run failed: \(run.standardError)")
        struct Summary: Decodable {
            struct Beam: Decodable { let number: Int; let isocentreDoseGy: Double? }
            struct DVH: Decodable { let structure: String; let meanGy: Double }
            let beams: [Beam]
            let fractionsPlanned: Int?
            let dvhPerFraction: [DVH]
        }
        let summary = try JSONDecoder().decode(Summary.self, from: Data(contentsOf: out.appendingPathComponent("summary.json")))
        #expect(summary.beams.count == 4)
        #expect(summary.beams.allSatisfy { ($0.isocentreDoseGy ?? 0) > 0 })
        // The example's structure set: every ROI gets its DVH metrics; the body receives dose.
        #expect(summary.dvhPerFraction.count >= 5)
        #expect((summary.dvhPerFraction.first { $0.structure == "BODY" }?.meanGy ?? 0) > 0)
        let check = try runPython("""
            import sys, pydicom
            d = pydicom.dcmread(sys.argv[1])
            a = d.pixel_array * float(d.DoseGridScaling)
            print(d.Modality, d.DoseUnits, d.DoseSummationType, a.max() > 0)
            """, arguments: [out.appendingPathComponent("RD.dcm").path])
        #expect(check.status == 0, "pydicom: \(check.standardError)")
        #expect(check.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "RTDOSE GY PLAN True")
    }
}
