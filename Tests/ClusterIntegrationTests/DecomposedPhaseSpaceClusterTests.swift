import Cluster
import Foundation
import Geometry
import Phantom
import PhaseSpace
import PhaseSpaceTestSupport
import Testing
import TestSupport
import Transport

/// `penumbra simulate --phase-space F --decomposed N` on the cluster, as real processes: the phase space's
/// two files travel as content-addressed inputs, each worker writes them once and samples the slabs it
/// runs from them; the dose must be the in-process decomposed run's, byte for byte (invariant 1).
@Suite("simulate --phase-space --decomposed on the cluster")
struct DecomposedPhaseSpaceClusterTests {
    @Test("A phase space decomposed in process, on 2 embedded workers and on 2 worker processes: the same dose.3ddose bytes")
    func phaseSpaceOnCluster() throws {
        let cluster = try ClusterProcessTests.Cluster(workers: 2, label: "decomposed-phsp")
        defer { cluster.stop() }
        let directory = cluster.directory
        // A 20 × 20 × 32 cm water box in 2 cm voxels: 16 planes, two slabs of 8.
        let grid = VoxelGrid(counts: (10, 10, 16), originCM: Vec3(-10, -10, 0), spacingCM: Vec3(2, 2, 2))
        let phantom = try VoxelPhantom(
            grid: grid, media: ["H2O700ICRU"], mediumIndices: Array(repeating: 0, count: grid.voxelCount),
            densitiesGPerCM3: Array(repeating: 1, count: grid.voxelCount))
        let phantomURL = directory.appendingPathComponent("water.egsphant")
        try EGSPhantomFile.write(phantom, to: phantomURL)
        // 2 000 histories of a 2 MeV point source (SSD 100 cm, 6 × 6 cm² on the front face) scored at z = 0.
        let beam = FrontFaceBeam(
            .pointSource(
                ssdCM: 100, field: try FieldRectangle(x1CM: -3, x2CM: 3, y1CM: -3, y2CM: 3), energy: .monoenergetic(MeV: 2)),
            on: phantom)
        let base = directory.appendingPathComponent("pointsource")
        try writePhaseSpace(of: beam, histories: 2_000, seed: 99, to: base)
        // Where every worker on this machine caches the two files (`PhaseSpaceSlabJob`): removed afterwards.
        let header = Array(try Data(contentsOf: base.appendingPathExtension("IAEAheader")))
        let data = Array(try Data(contentsOf: base.appendingPathExtension("IAEAphsp")))
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("penumbra-phase-spaces")
            .appendingPathComponent(ContentDigest(of: header + ContentDigest(of: data).bytes).description)
        defer { try? FileManager.default.removeItem(at: cache) }

        let common = [
            "simulate", "--phantom", phantomURL.path, "--phase-space", base.appendingPathExtension("IAEAheader").path,
            "--histories", "2000", "--seed", "3", "--decomposed", "2", "--threads", "2", "--log-level", "error",
        ]
        var doses: [String: Data] = [:]
        for (name, extra) in [
            ("in process", []), ("2 embedded workers", ["--workers", "2"]),
            ("2 worker processes", ["--coordinator", cluster.endpoint]),
        ] {
            let out = directory.appendingPathComponent(name.replacingOccurrences(of: " ", with: "-"))
            let run = try runProgram(ChildProcess.binary, common + extra + ["--out", out.path], timeout: .seconds(300))
            try #require(run.status == 0, "\(name): \(run.standardError)")
            doses[name] = try Data(contentsOf: out.appendingPathComponent("dose.3ddose"))
        }
        let reference = try #require(doses["in process"])
        #expect(reference.count > 1_000)
        #expect(doses["2 embedded workers"] == reference)
        #expect(doses["2 worker processes"] == reference)
        #expect(FileManager.default.fileExists(atPath: cache.appendingPathComponent("phase-space.IAEAphsp").path))

        // Without --decomposed a phase space stays in this process; a clear refusal, no output.
        let out = directory.appendingPathComponent("refused")
        let refused = try runProgram(
            ChildProcess.binary, Array(common.prefix(9)) + ["--workers", "2", "--out", out.path], timeout: .seconds(60))
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("decomposed only"), "\(refused.standardError)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}
