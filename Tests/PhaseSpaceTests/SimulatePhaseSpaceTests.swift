import Foundation
import Geometry
import Phantom
import PhaseSpace
import PhaseSpaceTestSupport
import TestSupport
import Testing
import Transport

/// `penumbra simulate --phase-space` as a process (the debug build `swift test` just made).
@Suite struct SimulatePhaseSpaceTests {
    static var binary: URL { TestEnvironment.packageRoot.appendingPathComponent(".build/debug/penumbra") }
    static let histories = 16_000
    static let energyMeV = 2.0

    func simulate(_ arguments: [String]) throws -> ProgramOutput {
        try runProgram(Self.binary, ["simulate", "--log-level", "warning", "--threads", "2"] + arguments)
    }

    /// A phase space of the point source (SSD 100 cm, 5 × 5 cm² on the front face, 2 MeV photons) on the
    /// front face of a water box, run through `simulate --phase-space`, gives the dose of the point source
    /// run directly: depth dose on the axis and total energy agree within statistics.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: binary.path)))
    func phaseSpaceOfThePointSourceGivesThePointSourceDose() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let phantom = try PhaseSpaceSourceTests.waterBox()
        let phantomURL = directory.appendingPathComponent("water.egsphant")
        try EGSPhantomFile.write(phantom, to: phantomURL)
        let field = try FieldRectangle(x1CM: -2.5, x2CM: 2.5, y1CM: -2.5, y2CM: 2.5)
        let beam = FrontFaceBeam(
            .pointSource(ssdCM: 100, field: field, energy: .monoenergetic(MeV: Self.energyMeV)), on: phantom)
        let base = directory.appendingPathComponent("pointsource")
        try writePhaseSpace(of: beam, histories: Self.histories, seed: 1234, to: base)

        let common = ["--phantom", phantomURL.path, "--histories", "\(Self.histories)"]
        let direct = try simulate(
            common + [
                "--energy", "\(Self.energyMeV)", "--field=-2.5,2.5,-2.5,2.5", "--seed", "5",
                "--out", directory.appendingPathComponent("direct").path,
            ])
        let fromFile = try simulate(
            common + [
                "--phase-space", base.appendingPathExtension("IAEAheader").path, "--seed", "6",
                "--out", directory.appendingPathComponent("phsp").path,
            ])
        try #require(direct.status == 0 && fromFile.status == 0, "\(direct.standardError) \(fromFile.standardError)")
        #expect(!fromFile.standardError.contains("recycle"))
        let a = try ThreeDDoseFile.read(directory.appendingPathComponent("direct/dose.3ddose"))
        let b = try ThreeDDoseFile.read(directory.appendingPathComponent("phsp/dose.3ddose"))

        // Depth dose: the four voxels around the axis (x, y in −2…2 cm), 2 cm deep each. The σ of their sum
        // is at most the sum of their σ (Cauchy–Schwarz; neighbouring voxels are correlated through shared
        // histories); 4σ of the difference of two independent runs.
        let g = phantom.grid
        for k in 0..<12 {
            let voxels = [(4, 4), (4, 5), (5, 4), (5, 5)].map { g.index($0.0, $0.1, k) }
            let (da, sa) = voxels.reduce((0.0, 0.0)) {
                ($0.0 + a.doseGyPerHistory[$1], $0.1 + a.doseGyPerHistory[$1] * a.relativeUncertainty[$1])
            }
            let (db, sb) = voxels.reduce((0.0, 0.0)) {
                ($0.0 + b.doseGyPerHistory[$1], $0.1 + b.doseGyPerHistory[$1] * b.relativeUncertainty[$1])
            }
            #expect(
                da > 0 && abs(da - db) <= 4 * (sa * sa + sb * sb).squareRoot(),
                "depth \(2 * k)–\(2 * k + 2) cm: direct \(da), phase space \(db) Gy per history (σ \(sa), \(sb))")
        }
        // Total energy per history, MeV (dose × mass). A history deposits between 0 and E, so its variance is
        // at most μ(E − μ) (Bhatia & Davis 2000, Amer. Math. Monthly 107:353); 4σ of the difference.
        let massKG = g.voxelVolumeCM3 * 1e-3
        func energy(_ d: DoseDistribution) -> Double {
            d.doseGyPerHistory.reduce(0, +) * massKG / DoseDistribution.joulePerMeV
        }
        let ea = energy(a), eb = energy(b)
        let sigma = (2 * ea * (Self.energyMeV - ea) / Double(Self.histories)).squareRoot()
        #expect(
            ea > 0.3 && abs(ea - eb) <= 4 * sigma,
            "total energy: direct \(ea), phase space \(eb) MeV per history, σ ≤ \(sigma)")

        let summary =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: directory.appendingPathComponent("phsp/summary.json"))) as? [String: Any]
        #expect(summary?["source"] as? String == "IAEA phase space pointsource.IAEAheader")
        #expect(summary?["phaseSpacePasses"] as? Double == 1)
        #expect(summary?["phaseSpaceZCM"] as? Double == 0)
        #expect((summary?["inputSHA256"] as? [String: String])?["phaseSpaceHeader"]?.count == 64)
    }

    /// `phase-space info` checks and summarises a file; `phase-space cut` writes a readable cut.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: binary.path)))
    func infoAndCutCommands() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try PhaseSpaceSourceTests.smallFile(in: directory)
        let info = try runProgram(Self.binary, ["phase-space", "info", file.path])
        try #require(info.status == 0, "\(info.standardError)")
        let summary = try JSONSerialization.jsonObject(with: Data(info.standardOutput.utf8)) as? [String: Any]
        #expect(summary?["storedHistories"] as? Int == 4 && summary?["originalHistories"] as? Int == 10)
        #expect(summary?["particlesPerType"] as? [String: Int] == ["photon": 4, "electron": 2, "positron": 1])
        let out = directory.appendingPathComponent("cut")
        let cut = try runProgram(
            Self.binary,
            [
                "phase-space", "cut", file.path, "--out", out.path, "--types", "photon,positron",
                "--box=-0.5,5,-2,0",
            ])
        try #require(cut.status == 0, "\(cut.standardError)")
        // Photons at x = 0 and the positron at x = 2 lie in the box: 4 + 1 particles.
        #expect(try IAEAPhaseSpaceFile(out).particles == 5)
        let bad = try runProgram(
            Self.binary, ["phase-space", "cut", file.path, "--out", out.path, "--types", "neutron"])
        #expect(bad.status != 0 && bad.standardError.contains("'neutron' is not photon"))
    }

    /// Recycling warns; bad input is a clear error and writes nothing.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: binary.path)))
    func recyclingWarnsAndBadInputFailsCleanly() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let phantomURL = directory.appendingPathComponent("water.egsphant")
        try EGSPhantomFile.write(try PhaseSpaceSourceTests.waterBox(), to: phantomURL)
        let file = try PhaseSpaceSourceTests.smallFile(in: directory).appendingPathExtension("IAEAphsp")
        let out = directory.appendingPathComponent("out")
        let common = ["--phantom", phantomURL.path, "--out", out.path]
        let recycled = try simulate(
            common + ["--phase-space", file.path, "--phase-space-z", "55", "--histories", "25"])
        #expect(recycled.status == 0, "\(recycled.standardError)")
        #expect(recycled.standardError.contains("recycle") && recycled.standardError.contains("latent variance"))
        try FileManager.default.removeItem(at: out)
        for (extra, message) in [
            (["--phase-space", file.path, "--field=-1,1,-1,1"], "brings its own particles"),
            (["--phase-space", file.path, "--energy", "2"], "exactly one"),
            (["--phase-space", directory.appendingPathComponent("missing").path], "missing.IAEAheader"),
            (["--phase-space", file.path, "--phase-space-z", "10"], "--phase-space-z"),
        ] {
            let r = try simulate(common + extra + ["--histories", "10"])
            #expect(r.status != 0)
            #expect(r.standardError.contains(message), "\(r.standardError)")
            #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("dose.3ddose").path))
        }
    }
}
