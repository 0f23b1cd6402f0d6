import Analysis
import FileIO
import Foundation
import Geometry
import TestSupport
import Testing

/// Gamma against pymedphys 0.41's `pymedphys.gamma` on the same arrays, passed as `.npy` files: pass
/// rates must agree within 0.5 percentage points (issue 9), and the γ maps closely.
@Suite struct GammaAgainstPymedphysTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let options: GammaOptions
        /// The evaluated grid (the reference grid is `referenceGrid`).
        let evaluatedGrid: VoxelGrid
        /// Shift of the evaluated dose, in cm, and its scale factor.
        let shiftCM: Vec3
        let scale: Double
        /// Relative Gaussian noise (σ) on the evaluated dose, seeded.
        let noise: Double
        var description: String { name }
    }

    static let referenceGrid = VoxelGrid(
        counts: (24, 24, 24), originCM: Vec3(-3, -3, -3), spacingCM: Vec3(0.25, 0.25, 0.25))

    /// A 2 Gy Gaussian (σ 1.2 cm along x and y, 1.5 cm along z) with a linear tilt along x.
    static func dose(_ p: Vec3) -> Double {
        2 * exp(-(p.x * p.x + p.y * p.y) / (2 * 1.44) - p.z * p.z / (2 * 2.25)) * (1 + 0.05 * p.x)
    }

    static let cases: [Case] = [
        Case(
            name: "shift 1 mm x 0.5 mm y, +2 %, 2 %/1 mm global",
            options: GammaOptions(doseDifferencePercent: 2, distanceToAgreementCM: 0.1),
            evaluatedGrid: referenceGrid, shiftCM: Vec3(0.1, 0.05, 0), scale: 1.02, noise: 0),
        Case(
            name: "shift 1.5 mm z, -3 %, 2 %/2 mm local",
            options: GammaOptions(doseDifferencePercent: 2, distanceToAgreementCM: 0.2, normalisation: .local),
            evaluatedGrid: referenceGrid, shiftCM: Vec3(0, 0, 0.15), scale: 0.97, noise: 0),
        Case(
            name: "3 % noise, +2 %, 1 %/0.5 mm global, 20 % threshold",
            options: GammaOptions(doseDifferencePercent: 1, distanceToAgreementCM: 0.05, lowDoseThresholdPercent: 20),
            evaluatedGrid: referenceGrid, shiftCM: .zero, scale: 1.02, noise: 0.03),
        Case(
            name: "other grid (2 mm, offset), shift 2 mm, +3 %, 3 %/2 mm global",
            options: GammaOptions(doseDifferencePercent: 3, distanceToAgreementCM: 0.2),
            evaluatedGrid: VoxelGrid(counts: (30, 30, 30), originCM: Vec3(-3.03, -2.96, -3.01), spacingCM: Vec3(0.2, 0.2, 0.2)),
            shiftCM: Vec3(0.2, 0, 0), scale: 1.03, noise: 0),
    ]

    /// The pymedphys side: reads the arrays, runs `pymedphys.gamma`, writes the γ map and prints the
    /// pass rate. Voxel-centre axes are built from each grid's corner origin and spacing (cm).
    static let script = """
        import json, sys
        import numpy as np
        import pymedphys
        cfg = json.loads(sys.argv[1])
        def axes(grid, shape):
            # Arrays are (z, y, x); grids give origin and spacing as x, y, z.
            return tuple(grid["origin"][a] + (np.arange(n) + 0.5) * grid["spacing"][a]
                         for a, n in zip((2, 1, 0), shape))
        ref = np.load(cfg["reference"]); ev = np.load(cfg["evaluated"])
        g = pymedphys.gamma(axes(cfg["referenceGrid"], ref.shape), ref, axes(cfg["evaluatedGrid"], ev.shape), ev,
                            dose_percent_threshold=cfg["dosePercent"], distance_mm_threshold=cfg["distance"],
                            lower_percent_dose_cutoff=cfg["thresholdPercent"], interp_fraction=cfg["fraction"],
                            max_gamma=cfg["maxGamma"], local_gamma=cfg["local"], interp_algo="scipy")
        np.save(cfg["output"], np.nan_to_num(g, nan=-1.0))
        valid = g[~np.isnan(g)]
        print(json.dumps({"passRate": float(100 * np.mean(valid <= 1)), "count": int(valid.size)}))
        """

    func npy(_ grid: VoxelGrid, _ values: [Double]) throws -> NumPyArray {
        try NumPyArray(shape: [grid.counts.z, grid.counts.y, grid.counts.x], values: values)
    }

    @Test(arguments: cases)
    func passRatesAgree(_ c: Case) throws {
        let reference = try DoseGrid(grid: Self.referenceGrid, field: Self.dose)
        var normal = SeededNormal(seed: 20_261_129)
        let evaluated = try DoseGrid(
            grid: c.evaluatedGrid,
            field: { p in max(0, c.scale * Self.dose(p - c.shiftCM) * (1 + c.noise * normal.next())) })
        let ours = try GammaIndex(reference: reference, evaluated: evaluated, options: c.options)

        let directory = try TestEnvironment.makeScratchDirectory("penumbra-gamma")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = ["reference", "evaluated", "output"].map { directory.appendingPathComponent("\($0).npy") }
        try npy(reference.grid, reference.doseGy).write(to: files[0])
        try npy(evaluated.grid, evaluated.doseGy).write(to: files[1])
        func gridJSON(_ g: VoxelGrid) -> [String: [Double]] {
            ["origin": [g.originCM.x, g.originCM.y, g.originCM.z], "spacing": [g.spacingCM.x, g.spacingCM.y, g.spacingCM.z]]
        }
        let config: [String: Any] = [
            "reference": files[0].path, "evaluated": files[1].path, "output": files[2].path,
            "referenceGrid": gridJSON(reference.grid), "evaluatedGrid": gridJSON(evaluated.grid),
            "dosePercent": c.options.doseDifferencePercent, "distance": c.options.distanceToAgreementCM,
            "thresholdPercent": c.options.lowDoseThresholdPercent, "fraction": c.options.interpolationFraction,
            "maxGamma": c.options.effectiveSearchRadiusCM / c.options.distanceToAgreementCM,
            "local": c.options.normalisation == .local,
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        let run = try runPython(Self.script, arguments: [json])
        try #require(run.status == 0, "pymedphys failed (run `make python-deps`): \(run.standardError)")
        let answer = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
        let theirRate = try #require(answer?["passRate"] as? Double)
        let theirCount = try #require(answer?["count"] as? Int)
        let theirMap = try NumPyArray(contentsOf: files[2])

        let ourRate = try #require(ours.passRatePercent)
        print(String(format: "gamma %@: Penumbra %.2f %% of %d, pymedphys %.2f %% of %d", c.name, ourRate,
            ours.evaluatedCount, theirRate, theirCount))
        // Same threshold rule (reference dose ≥ threshold × maximum): the same points.
        #expect(ours.evaluatedCount == theirCount)
        // Issue 9's acceptance: pass rates within 0.5 percentage points.
        #expect(abs(ourRate - theirRate) <= 0.5)
        // The maps: both search at a tenth of the DTA (a cubic lattice here, spherical shells there) and
        // both overestimate γ by up to the search resolution, so single values differ. That error is
        // about (dose gradient × step) / ΔD: small for global ΔD, larger for local ΔD in the low-dose
        // tails, where ΔD is small. Measured 95th percentiles: ≤ 0.018 global (also with noise), 0.072 local
        // (docs/gamma.md); the bounds below catch a systematic difference, not search jitter.
        #expect(theirMap.shape == [24, 24, 24])
        var differences: [Double] = []
        for (n, value) in ours.gamma.enumerated() where !value.isNaN && theirMap.values[n] >= 0 {
            differences.append(abs(value - theirMap.values[n]))
        }
        differences.sort()
        let p95 = differences[Int(0.95 * Double(differences.count - 1))]
        print(String(format: "gamma %@: |Δγ| median %.4f, 95th percentile %.4f, max %.4f", c.name,
            differences[differences.count / 2], p95, differences.last ?? 0))
        #expect(p95 <= (c.options.normalisation == .local ? 0.1 : 0.05))
    }
}
