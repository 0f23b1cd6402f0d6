import Foundation
import Geometry
import Phantom
import TestSupport
import Testing
import Transport

/// Decomposed (slab-bounded) transport against the whole-phantom run of the same histories.
@Suite struct SlabTransportTests {
    /// Water with a bone layer, a lung layer, an air gap, vacuum and a dense insert across slab faces, with the
    /// real physics tables: photon flights and electron steps cross faces in every medium.
    static func heterogeneous(settings: TransportSettings) throws -> Simulation {
        let grid = VoxelGrid(counts: (7, 7, 24), originCM: Vec3(-1.75, -1.75, 0), spacingCM: Vec3(0.5, 0.5, 0.5))
        var media = [UInt8](repeating: 0, count: grid.voxelCount)
        var rho = [Float](repeating: 1, count: grid.voxelCount)
        for k in 0..<24 {
            for j in 0..<7 {
                for i in 0..<7 {
                    let v = grid.index(i, j, k)
                    if k >= 3 && k < 6 { media[v] = 1; rho[v] = 1.85 }
                    if k >= 7 && k < 13 { media[v] = 2; rho[v] = 0.26 }
                    if k == 15 { media[v] = 2; rho[v] = 0.0012 }
                    if k == 16 && i == 3 { media[v] = 1; rho[v] = 3 }
                    if k >= 19 && k < 21 && j < 3 { rho[v] = 0 }  // vacuum voxels across a face
                }
            }
        }
        let phantom = try VoxelPhantom(grid: grid, media: ["H2O700ICRU", "ICRPBONE700ICRU", "LUNG700ICRU"],
                                       mediumIndices: media, densitiesGPerCM3: rho)
        let spectrum = try PhotonSpectrum.read(TestEnvironment.reference("spectra/mohan6.spectrum"))
        let field = try FieldRectangle(x1CM: -1.5, x2CM: 1.5, y1CM: -1.5, y2CM: 1.5)
        return try Simulation(phantom: phantom, mediumPhysics: PhysicsMedium.media(named: phantom.media, settings: settings),
                              source: .pointSource(ssdCM: 100, field: field, energy: .spectrum(spectrum)), settings: settings)
    }

    static func settings(blockVoxels: Int, splitting: Int = 1) -> TransportSettings {
        var s = TransportSettings()
        s.majorantBlockVoxels = blockVoxels
        s.photonSplitting = splitting
        return s
    }

    /// The strongest test there is: every slab layout deposits exactly the whole-phantom run's energy in
    /// every voxel, bit for bit (each particle is transported with the same operations on the same
    /// numbers and the same random stream, only by several slabs in turn).
    @Test(arguments: [(8, [8, 16]), (2, [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]), (4, [12])])
    func decomposedIsBitIdenticalToWholePhantom(blockVoxels: Int, boundaries: [Int]) throws {
        let sim = try Self.heterogeneous(settings: Self.settings(blockVoxels: blockVoxels))
        let whole = try TransportEngine(simulation: sim, threads: 2).runRange(0..<300, seed: 7)
        let decomposed = try DecomposedTransport(simulation: sim, boundaries: boundaries)
        let run = decomposed.run(histories: 0..<300, seed: 7, threads: 2)
        #expect(run.energy.reduce(0, +) > 0)
        #expect(run.energy == whole.sum)
        // Particles really crossed faces, in several rounds (backscatter goes down again).
        #expect(run.bankedParticles > 100 && run.rounds >= max(3, boundaries.count + 1),
                "\(run.bankedParticles) banked in \(run.rounds) rounds")
    }

    /// Split primaries with Russian roulette of their scattered photons: weights travel with the banks.
    @Test func splitPhotonsAreBitIdentical() throws {
        let sim = try Self.heterogeneous(settings: Self.settings(blockVoxels: 4, splitting: 4))
        let whole = try TransportEngine(simulation: sim, threads: 1).runRange(100..<250, seed: 3)
        let run = try DecomposedTransport(simulation: sim, boundaries: [4, 8, 20]).run(histories: 100..<250, seed: 3)
        #expect(run.energy == whole.sum)
    }

    /// Batches: the summed energy is still the whole-phantom run's, and the batch uncertainty agrees with
    /// the history-by-history one within its own noise.
    @Test func batchUncertaintyAgreesWithHistoryByHistory() throws {
        let sim = try Self.heterogeneous(settings: Self.settings(blockVoxels: 4))
        let whole = try TransportEngine(simulation: sim, threads: 2).runRange(0..<4000, seed: 11)
        let batches = try DecomposedTransport(simulation: sim, boundaries: [8, 16]).run(histories: 4000, seed: 11, batches: 10, threads: 2)
        #expect(batches.sum == whole.sum)
        #expect(batches.histories == 4000 && batches.batches == 10)
        let (_, relWhole) = whole.meanEnergyPerHistory()
        let (_, relBatch) = batches.meanEnergyPerHistory()
        // Mean relative σ over voxels where the whole run is below 60 % (380 voxels, the better-sampled
        // ones). With 10 batches the σ estimate itself scatters by 1/√(2·9) ≈ 24 % per voxel; averaged
        // over hundreds of voxels the ratio is within a few % (measured 0.975), so [0.8, 1.25] fails only
        // on a gross error (a missing √B is a factor 3.2); the formula itself is checked exactly in
        // BatchTallyTests.
        let voxels = relWhole.indices.filter { relWhole[$0] > 0 && relWhole[$0] < 0.6 }
        #expect(voxels.count > 100)
        let ratio = voxels.map { relBatch[$0] }.reduce(0, +) / voxels.map { relWhole[$0] }.reduce(0, +)
        #expect(ratio > 0.8 && ratio < 1.25, "batch / history σ = \(ratio) over \(voxels.count) voxels")
    }

    @Test func layoutsOffBlockFacesAreRefused() throws {
        let sim = try Self.heterogeneous(settings: Self.settings(blockVoxels: 8))
        #expect(throws: SlabError.self) { try DecomposedTransport(simulation: sim, boundaries: [12]) }
        #expect(throws: SlabError.self) { try DecomposedTransport(simulation: sim, boundaries: [16, 8]) }
        #expect(throws: SlabError.self) { try SlabTransport(whole: sim, planes: 8..<40) }
        let slab = try DecomposedTransport(simulation: sim, boundaries: [8]).slabs[1]
        #expect(throws: SlabError.self) {
            try SlabTransport(slab: try VoxelPhantom(grid: VoxelGrid(counts: (3, 7, 8), originCM: Vec3(0, 0, 0), spacingCM: Vec3(0.5, 0.5, 0.5)),
                                                     media: sim.phantom.media, mediumIndices: .init(repeating: 0, count: 168),
                                                     densitiesGPerCM3: .init(repeating: 1, count: 168)),
                              of: sim.phantom.grid, firstPlane: 8, physics: sim)
        }
        #expect(slab.planes == 8..<24 && slab.voxelCount == 7 * 7 * 16)
        #expect(DecomposedTransport.boundaries(planes: 24, slabs: 3, edge: 8) == [8, 16])
        #expect(DecomposedTransport.boundaries(planes: 24, slabs: 5, edge: 8) == [8, 16])
        #expect(DecomposedTransport.boundaries(planes: 20, slabs: 2, edge: 4) == [8])
    }
}

/// What a cluster's retries and routing rely on: a slab unit (a slab and its incoming bank) is a pure
/// function of its inputs, so a unit redone after a lost worker, or fed its particles in another
/// arrival order, gives the same tally and the same outgoing particles.
@Suite struct SlabUnitIdempotenceTests {
    @Test func aRedoneOrReorderedUnitGivesTheSameBits() throws {
        let sim = try SlabTransportTests.heterogeneous(settings: SlabTransportTests.settings(blockVoxels: 4))
        let run = try DecomposedTransport(simulation: sim, boundaries: [8, 16])
        // Round 1's bank of the middle slab: what slab 0 sent up in round 0.
        var tally0 = EnergyTally(voxelCount: run.slabs[0].voxelCount)
        let (_, up) = run.slabs[0].transport(run.sourceBanks(histories: 0..<200, seed: 6)[0], tally: &tally0)
        #expect(up.count > 50)
        func unit(_ bank: ParticleBank) -> (sum: [UInt64], below: [UInt8], above: [UInt8]) {
            var t = EnergyTally(voxelCount: run.slabs[1].voxelCount)
            let (below, above) = run.slabs[1].transport(bank, tally: &t)
            t.flush()
            return (Array(t.sum), below.encoded(), above.encoded())
        }
        let first = unit(up), again = unit(up)
        #expect(first.sum == again.sum && first.below == again.below && first.above == again.above)
        // Another arrival order (the bank's chunks reversed, as two senders' banks might arrive): same
        // sums, and the same outgoing particles up to order (the same records).
        var reversed = ParticleBank()
        for chunk in up.chunks(ofAtMost: up.count / 3).reversed() { reversed.append(contentsOf: chunk) }
        #expect(reversed.count == up.count)
        let reordered = unit(reversed)
        #expect(reordered.sum == first.sum)
        #expect(Self.records(reordered.above) == Self.records(first.above))
        #expect(Self.records(reordered.below) == Self.records(first.below))
    }

    /// The records of an encoded bank as a sorted list (a multiset); a record is 127 bytes plus 99 for a
    /// photon flight or 186 for a charged step (the kind byte is its 127th).
    static func records(_ bytes: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var at = 16
        while at < bytes.count {
            let kind = bytes[at + 126]
            let length = 127 + (kind == 0 ? 0 : kind == 1 ? 99 : 186)
            out.append(Array(bytes[at..<at + length]))
            at += length
        }
        return out.sorted { $0.lexicographicallyPrecedes($1) }
    }
}
