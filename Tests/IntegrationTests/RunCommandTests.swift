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
                                                   "--histories", "100000", "--profile-depths", "10",
                                                   "--out", dir.appendingPathComponent("machine").path])
        try #require(commission.status == 0, "penumbra machine commission failed: \(commission.standardError)")
        // The profile asked for is written with its numbers (its physics: BeamValidationTests, docs/beam-model.md).
        let record = try JSONSerialization.jsonObject(
            with: Data(contentsOf: dir.appendingPathComponent("machine/commissioning.json"))) as! [String: Any]
        let profile = try #require(((record["fields"] as! [[String: Any]]).first?["profiles"] as? [[String: Any]])?.first)
        #expect(profile["depthCM"] as? Double == 10)
        // 11 cm wide at 10 cm depth; at 100 k proposals a 0.2 cm voxel carries tens of per cent of noise, so a noise
        // dip can end the width early: only that a width was found is checked here.
        #expect((5...15).contains(profile["fieldWidthCM"] as? Double ?? 0))
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
            let tallyBytesPerThread: Int?
            let tallyTouchedBytesPerThread: Int?
        }
        let summary = try JSONDecoder().decode(Summary.self, from: Data(contentsOf: out.appendingPathComponent("summary.json")))
        #expect(summary.beams.count == 4)
        #expect(summary.beams.allSatisfy { ($0.isocentreDoseGy ?? 0) > 0 })
        // The embedded worker's memory per thread: 32 bytes per voxel of a beam's grid (the beams share the
        // threads' tallies), and how much of it the histories wrote, in blocks of 128 voxels (4 KiB).
        let tallyBytes = try #require(summary.tallyBytesPerThread)
        let touched = try #require(summary.tallyTouchedBytesPerThread)
        #expect(tallyBytes > 0 && tallyBytes % 32 == 0)
        #expect(touched > 0 && touched <= tallyBytes + 4096 && touched % 4096 == 0)
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
