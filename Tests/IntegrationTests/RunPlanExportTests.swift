import Foundation
import TestSupport
import Testing

/// `penumbra run` on plans shaped like real planning-system exports (docs/dicom.md, "What real exports contain
/// and what Penumbra does"): several fraction groups are computed one at a time, never summed per fraction or
/// taken as the first; a beam without monitor units is refused, setup beams are left out with a note; the beams
/// are placed for the patient position of the plan's Patient Setup. In a small water tank with few histories.
@Suite struct RunPlanExportTests {
    struct Summary: Decodable {
        struct Beam: Decodable { let number: Int; let monitorUnits: Double }
        let beams: [Beam]
        let fractionGroup: Int?
        let fractionsPlanned: Int?
    }

    /// The thorax example in `dir/thorax`.
    static func example(in dir: URL) throws {
        let example = try runProgram(DVHCommandTests.penumbra, ["example", "thorax", "--out", dir.appendingPathComponent("thorax").path])
        try #require(example.status == 0, "penumbra example failed: \(example.standardError)")
    }

    static func run(_ plan: URL, in dir: URL, _ out: String, histories: Int = 2000, _ extra: [String] = []) throws -> ProgramOutput {
        try runProgram(DVHCommandTests.penumbra, [
            "run", "--plan", plan.path, "--water-phantom", "20x20x20", "--dose-voxel", "2", "--histories", "\(histories)",
            "--first-round", "\(histories)", "--out", dir.appendingPathComponent(out).path, "--log-level", "warning",
        ] + extra)
    }

    static func summary(_ dir: URL, _ out: String) throws -> Summary {
        try JSONDecoder().decode(Summary.self, from: Data(contentsOf: dir.appendingPathComponent("\(out)/summary.json")))
    }

    @Test func fractionGroupsMetersetsAndSetupBeams() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-run-export")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.example(in: dir)
        // A sequential boost: beams 1 and 2 for 25 fractions, beams 3 and 4 for 5 fractions at 150 MU each.
        let boost = try RunRefusalTests.editedPlan(
            """
            import copy
            g1 = d.FractionGroupSequence[0]; g2 = copy.deepcopy(g1)
            g1.NumberOfFractionsPlanned = 25; g1.ReferencedBeamSequence = g1.ReferencedBeamSequence[:2]; g1.NumberOfBeams = 2
            g2.FractionGroupNumber = 2; g2.NumberOfFractionsPlanned = 5; g2.ReferencedBeamSequence = g2.ReferencedBeamSequence[2:]
            g2.NumberOfBeams = 2
            for r in g2.ReferencedBeamSequence: r.BeamMeterset = 150
            d.FractionGroupSequence.append(g2)
            """, in: dir, name: "boost.dcm")
        let refused = try Self.run(boost, in: dir, "both")
        #expect(refused.status != 0 && refused.standardError.contains("2 fraction groups")
                    && refused.standardError.contains("group 2 (5 fractions; beams 3, 4)")
                    && refused.standardError.contains("--fraction-group N"), "\(refused.standardError)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("both").path))
        let second = try Self.run(boost, in: dir, "second", ["--fraction-group", "2"])
        try #require(second.status == 0, "\(second.standardError)")
        let summary = try Self.summary(dir, "second")
        #expect(summary.fractionGroup == 2 && summary.fractionsPlanned == 5)
        #expect(summary.beams.map(\.number) == [3, 4] && summary.beams.allSatisfy { $0.monitorUnits == 150 })
        #expect(second.standardError.contains("beam 1 'G000' is not delivered in fraction group 2"), "\(second.standardError)")
        let absent = try Self.run(boost, in: dir, "none", ["--fraction-group", "3"])
        #expect(absent.status != 0 && absent.standardError.contains("no fraction group 3"), "\(absent.standardError)")

        // A beam in the fraction group without its Beam Meterset used to be skipped with a warning: a plan dose
        // missing a beam.
        let noMU = try RunRefusalTests.editedPlan(
            "del d.FractionGroupSequence[0].ReferencedBeamSequence[1].BeamMeterset", in: dir, name: "nomu.dcm")
        let refusedMU = try Self.run(noMU, in: dir, "nomu")
        #expect(refusedMU.status != 0 && refusedMU.standardError.contains("beam 2 'G055' is in fraction group 1 without a Beam Meterset"),
                "\(refusedMU.standardError)")

        // A plan for a machine of another source-axis distance: its jaw and leaf positions are another field here.
        let sad = try RunRefusalTests.editedPlan("d.BeamSequence[1].SourceAxisDistance = 800", in: dir, name: "sad.dcm")
        let refusedSAD = try Self.run(sad, in: dir, "sad")
        #expect(refusedSAD.status != 0 && refusedSAD.standardError.contains("Source-Axis Distance 800.0 mm"),
                "\(refusedSAD.standardError)")

        // A treatment beam with a portal image delivers dose; a setup beam does not, and the log says so.
        let kinds = try RunRefusalTests.editedPlan(
            "d.BeamSequence[2].TreatmentDeliveryType = 'TRMT_PORTFILM'; d.BeamSequence[3].TreatmentDeliveryType = 'SETUP'",
            in: dir, name: "kinds.dcm")
        let mixed = try Self.run(kinds, in: dir, "kinds")
        try #require(mixed.status == 0, "\(mixed.standardError)")
        #expect(try Self.summary(dir, "kinds").beams.map(\.number) == [1, 2, 3])
        #expect(mixed.standardError.contains("beam 4 'G180' is a SETUP beam; left out"), "\(mixed.standardError)")
    }

    /// Gantry 90° puts the source at the patient's left for HFS and at the patient's right for FFS (IEC 61217,
    /// DICOM LPS): the entrance half of the tank (+x or −x from the isocentre) must follow the plan's Patient Setup.
    @Test func beamsArePlacedForThePlansPatientPosition() throws {
        let dir = try TestEnvironment.makeScratchDirectory("penumbra-run-position")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.example(in: dir)
        func lateral(_ position: String) throws -> Double {
            let plan = try RunRefusalTests.editedPlan(
                """
                d.PatientSetupSequence[0].PatientPosition = '\(position)'
                for b in d.BeamSequence: b.ControlPointSequence[0].GantryAngle = 90
                """, in: dir, name: "\(position).dcm")
            let run = try Self.run(plan, in: dir, position, histories: 20_000)
            try #require(run.status == 0, "\(run.standardError)")
            // Dose in the +x half of the tank over dose in the −x half (the tank is centred on the isocentre).
            let ratio = try runPython(
                """
                import sys
                t = open(sys.argv[1]).read().split()
                nx, ny, nz = int(t[0]), int(t[1]), int(t[2])
                xb = [float(v) for v in t[3:3 + nx + 1]]
                start = 3 + nx + 1 + ny + 1 + nz + 1
                dose = [float(v) for v in t[start:start + nx * ny * nz]]
                mid = (xb[0] + xb[-1]) / 2
                plus = sum(dose[n] for n in range(len(dose)) if (xb[n % nx] + xb[n % nx + 1]) / 2 > mid)
                minus = sum(dose[n] for n in range(len(dose)) if (xb[n % nx] + xb[n % nx + 1]) / 2 < mid)
                print(plus / minus)
                """, arguments: [dir.appendingPathComponent("\(position)/dose.3ddose").path])
            try #require(ratio.status == 0, "\(ratio.standardError)")
            return try #require(Double(ratio.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        // 20 cm of water: the entrance half receives well over the exit half (≈ e^{μ·10 cm} with μ ≈ 0.05/cm for
        // 6 MV, PHYSICS.md), so 1.2 separates the two by far more than the noise of 20 k histories.
        let hfs = try lateral("HFS"), ffs = try lateral("FFS")
        #expect(hfs > 1.2, "HFS: +x/−x = \(hfs)")
        #expect(ffs < 1 / 1.2, "FFS: +x/−x = \(ffs)")
    }
}
