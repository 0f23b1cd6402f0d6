import Foundation
import Geometry
import Phantom
import Testing
import Transport

/// Photon splitting, Russian roulette and range rejection are variance reduction: they may change the
/// bits of a run, never its expectation. Each is checked against the plain run within statistics, from
/// independent batches (so covariances between voxels are in the error bar).
@Suite struct VarianceReductionTests {
    /// The slab phantom of `SimulationTests` at eight times its densities, so that most primaries
    /// interact inside it and a few thousand histories measure a mean to a few per cent.
    static func simulation(_ change: (inout TransportSettings) -> Void) throws -> Simulation {
        var settings = TransportSettings()
        change(&settings)
        let slab = try SimulationTests.slabPhantom()
        let phantom = try VoxelPhantom(grid: slab.grid, media: slab.media, mediumIndices: slab.mediumIndices,
                                       densitiesGPerCM3: slab.densitiesGPerCM3.map { $0 * 8 })
        let field = try FieldRectangle(x1CM: -1, x2CM: 1, y1CM: -1, y2CM: 1)
        return try Simulation(phantom: phantom, mediumPhysics: [ToyMedium(), ToyMedium()],
                              source: .pointSource(ssdCM: 100, field: field, energy: .monoenergetic(MeV: 2)),
                              settings: settings)
    }

    /// Every voxel, and the 5 × 5-voxel column behind the 2 × 2 cm field (primary-dominated).
    static let regions: [[Int]] = {
        let g = VoxelGrid(counts: (9, 9, 12), originCM: Vec3(-2.25, -2.25, 0), spacingCM: Vec3(0.5, 0.5, 0.5))
        return [Array(0..<g.voxelCount), (0..<12).flatMap { k in (2...6).flatMap { j in (2...6).map { g.index($0, j, k) } } }]
    }()

    /// Per region, the mean and standard error of the energy per history (MeV) deposited there, from
    /// `batches` independent batches of `size` histories.
    static func batchMeans(_ sim: Simulation, batches: Int = 12, size: UInt64 = 150) throws -> [(Double, Double)] {
        let engine = try TransportEngine(simulation: sim, threads: 2, blockSize: 25)
        let tallies = (0..<UInt64(batches)).map { b in engine.runRange(b * size..<(b + 1) * size, seed: 11) }
        return regions.map { region in
            let values = tallies.map { t in Double(region.reduce(0) { $0 + t.sum[$1] }) * EnergyTally.quantumMeV / Double(size) }
            let mean = values.reduce(0, +) / Double(batches)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(batches - 1)
            return (mean, (variance / Double(batches)).squareRoot())
        }
    }

    static func expectAgreement(_ a: Simulation, _ b: Simulation, _ what: String) throws {
        for ((m1, s1), (m2, s2)) in zip(try batchMeans(a), try batchMeans(b)) {
            // Independent estimates of the same mean: |Δ| < 4σ_Δ fails by chance with probability 6·10⁻⁵.
            let sigma = (s1 * s1 + s2 * s2).squareRoot()
            #expect(abs(m1 - m2) < 4 * sigma, "\(what): \(m1) ± \(s1) vs \(m2) ± \(s2) MeV per history")
            // The test must be able to see a bias of a few per cent.
            #expect(sigma < 0.05 * m1, "\(what): too few histories to test anything (σ \(sigma), mean \(m1))")
        }
    }

    @Test func photonSplittingIsUnbiased() throws {
        try Self.expectAgreement(Self.simulation { _ in }, Self.simulation { $0.photonSplitting = 8 }, "splitting 8")
    }

    @Test func splittingWithoutRouletteIsUnbiased() throws {
        try Self.expectAgreement(Self.simulation { _ in }, Self.simulation {
            $0.photonSplitting = 4
            $0.russianRoulette = false
        }, "splitting 4 without roulette")
    }

    @Test func rangeRejectionOffAgrees() throws {
        try Self.expectAgreement(Self.simulation { _ in }, Self.simulation { $0.rangeRejectionBelowMeV = 0 }, "no range rejection")
    }

    @Test func splitRunIsBitReproducibleAcrossThreadsAndBlocks() throws {
        let sim = try Self.simulation { $0.photonSplitting = 5 }
        let one = try TransportEngine(simulation: sim, threads: 1, blockSize: 40).run(histories: 200, seed: 9, rounds: 1)
        let two = try TransportEngine(simulation: sim, threads: 2, blockSize: 3).run(histories: 200, seed: 9, rounds: 3)
        #expect(one.sum == two.sum && one.sumOfSquares == two.sumOfSquares)
        #expect(one.histories == 200)
    }

    /// Splitting must pay: per history, the primary column's relative uncertainty drops (each history
    /// now samples N primary interaction sites).
    @Test func splittingLowersTheUncertaintyPerHistory() throws {
        func sigma(_ n: Int) throws -> Double {
            let sim = try Self.simulation { $0.photonSplitting = n }
            let t = try TransportEngine(simulation: sim, threads: 2).run(histories: 600, seed: 4, rounds: 1)
            return DoseDistribution(tally: t, phantom: sim.phantom).meanRelativeUncertaintyAboveHalfMax
        }
        let plain = try sigma(1), split = try sigma(8)
        // With 8 copies the primary part of the variance falls up to 8×; at least a 1.5× lower σ is expected.
        #expect(split < plain / 1.5, "σ plain \(plain), split 8 \(split)")
    }

    @Test func settingsFromAnEarlierVersionTakeDefaults() throws {
        let old = #"{"electronCutoffMeV":0.3,"photonCutoffMeV":0.01,"collisionCutMeV":0.3,"radiativeCutMeV":0.01,"#
            + #""maximumScatteringStrength":0.3,"maximumEnergyLossFraction":0.2,"rangeRejectionBelowMeV":1,"#
            + #""majorantBlockVoxels":8,"doseQuantity":"dose-to-medium"}"#
        let s = try JSONDecoder().decode(TransportSettings.self, from: Data(old.utf8))
        #expect(s.electronCutoffMeV == 0.3 && s.photonSplitting == 1 && s.russianRoulette)
        var split = TransportSettings()
        split.photonSplitting = 20
        let back = try JSONDecoder().decode(TransportSettings.self, from: JSONEncoder().encode(split))
        #expect(back == split)
        split.photonSplitting = 0
        #expect(throws: TransportSettingsError.self) { try split.validate() }
    }
}
