import Foundation
import Geometry
import Phantom
import TestSupport
import Testing
import Transport

/// The Fano test (Fano 1954, Radiat. Res. 1:237; the standard test of condensed-history boundary
/// handling, e.g. Kawrakow 2000, Med. Phys. 27:499): in a medium of one composition whose density varies,
/// a source emitting particles uniformly per unit mass gives a uniform dose, wherever charged-particle
/// equilibrium holds. Here: water in 2 cm z-layers of densities 1, 0.3, 2, 0.6 g/cm³, 1 MeV electrons
/// emitted isotropically and uniformly per unit mass; the dose is compared layer by layer inside the
/// central region, away from the phantom's outer faces by more than the electron range. Run in water and
/// in ICRP cortical bone (a higher-Z composition: larger scattering and spin corrections, more
/// bremsstrahlung), with the σ of each layer's mean from 10 independent batches (the voxels of a layer
/// are correlated, so their independent-voxel σ would be too small).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["PENUMBRA_VALIDATE"] == "1"), .serialized)
struct FanoTests {
    @Test(arguments: ["H2O700ICRU", "ICRPBONE700ICRU"])
    func doseIsUniformAcrossDensityLayers(mediumName: String) throws {
        let densities: [Float] = [1, 0.3, 2, 0.6]
        let n = (x: 20, y: 20, z: 24)
        let grid = VoxelGrid(counts: n, originCM: Vec3(-10, -10, 0), spacingCM: Vec3(1, 1, 0.5))
        var rho = [Float](repeating: 1, count: grid.voxelCount)
        for k in 0..<n.z { for j in 0..<n.y { for i in 0..<n.x { rho[grid.index(i, j, k)] = densities[(k / 4) % densities.count] } } }
        let phantom = try VoxelPhantom(grid: grid, media: [mediumName], mediumIndices: .init(repeating: 0, count: grid.voxelCount),
                                       densitiesGPerCM3: rho)
        let settings = TransportSettings()
        // Layer masses per cm² for sampling the emission layer ∝ mass.
        let layerMass = (0..<(n.z / 4)).map { Double(densities[$0 % densities.count]) * 2 }
        let totalMass = layerMass.reduce(0, +)
        let cumulative = layerMass.indices.map { layerMass[0...$0].reduce(0, +) / totalMass }
        let source = UniformMassSource(cumulativeLayerMass: cumulative, layerThicknessCM: 2, halfWidthCM: 10, energyMeV: 1)
        let sim = try Simulation(phantom: phantom, mediumPhysics: PhysicsMedium.media(named: phantom.media, settings: settings),
                                 source: source, settings: settings)
        let histories = UInt64(ProcessInfo.processInfo.environment["PENUMBRA_FANO_HISTORIES"].flatMap { UInt64($0) } ?? 3_000_000)
        let engine = try TransportEngine(simulation: sim, threads: ProcessInfo.processInfo.activeProcessorCount)
        let batchCount = 10
        let batches = try (0..<batchCount).map { b in
            DoseDistribution(tally: try engine.run(histories: histories / UInt64(batchCount), seed: 7 + UInt64(b), rounds: 1), phantom: phantom)
        }
        // Expected under equilibrium: E / M per history, M the mass of the whole 20×20 cm² phantom.
        let expected = source.energyMeV * DoseDistribution.joulePerMeV / (totalMass * 400 * 1e-3)
        // Central region: |x|, |y| < 5 cm and layers 1…4 (z 2–10 cm): ≥ 2 cm from every outer face, more
        // than the 1 MeV CSDA range in the lightest layer (0.44 g/cm² / 0.3 = 1.5 cm).
        var report = "Fano test in \(mediumName), \(histories) histories of 1 MeV electrons in \(batchCount) batches; "
            + "layer dose / (E/M):\n"
        var means: [(Double, Double)] = []
        for layer in 1...4 {
            var voxels: [Int] = []
            for k in (layer * 4)..<(layer * 4 + 4) { for j in 5..<15 { for i in 5..<15 { voxels.append(grid.index(i, j, k)) } } }
            let perBatch = batches.map { d in voxels.map { d.doseGyPerHistory[$0] }.reduce(0, +) / Double(voxels.count) }
            let k = Double(batchCount)
            let mean = perBatch.reduce(0, +) / k
            let sigma = (perBatch.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (k * (k - 1))).squareRoot()
            report += String(format: "  layer %d (ρ %.1f): %.4f ± %.4f\n", layer, densities[layer % 4], mean / expected, sigma / expected)
            means.append((mean, sigma))
        }
        let average = means.map(\.0).reduce(0, +) / Double(means.count)
        let worst = means.map { abs($0.0 / average - 1) - 2 * $0.1 / average }.max() ?? 0
        report += String(format: "  largest layer deviation from the mean beyond 2σ: %.3f %%\n", 100 * max(worst, 0))
        print(report)
        let dir = TestEnvironment.packageRoot.appendingPathComponent("validation/out")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(report.utf8).write(to: dir.appendingPathComponent("fano-\(mediumName).txt"))
        // Issue 4: uniform within 0.5 % (beyond 2σ statistics). Brems photons escaping the 20 cm phantom
        // take < 0.4 % of the energy (radiative yield of 1 MeV electrons in water), uniformly.
        #expect(worst <= 0.005, "\(report)")
    }
}

/// The Fano test's source: electrons of one energy emitted isotropically and uniformly per unit mass in
/// a phantom of z layers (layer chosen ∝ its mass per cm², then a uniform point inside it).
struct UniformMassSource: PrimarySource {
    let cumulativeLayerMass: [Double]
    let layerThicknessCM: Double
    let halfWidthCM: Double
    let energyMeV: Double

    var maximumEnergyMeV: Double { energyMeV }

    func emitPrimaries(history: UInt64, rng: inout RandomStream, into primaries: inout [PrimaryParticle]) {
        let u = rng.uniform()
        let layer = cumulativeLayerMass.firstIndex(where: { u <= $0 }) ?? cumulativeLayerMass.count - 1
        let z = (Double(layer) + rng.uniform()) * layerThicknessCM
        let x = halfWidthCM * (2 * rng.uniform() - 1), y = halfWidthCM * (2 * rng.uniform() - 1)
        let mu = 2 * rng.uniform() - 1, phi = 2 * Double.pi * rng.uniform()
        let s = (1 - mu * mu).squareRoot()
        primaries.append(PrimaryParticle(positionCM: Vec3(x, y, z), direction: Vec3(s * cos(phi), s * sin(phi), mu),
                                         energyMeV: energyMeV, charge: -1))
    }
}
