import Foundation
import Geometry
import Phantom
import PhaseSpace
import TestSupport
import Testing
import Transport

/// `PhaseSpaceSource`: which history emits what, placement on the phantom, recycling, reproducibility.
@Suite struct PhaseSpaceSourceTests {
    /// A water box 20 × 20 × 30 cm of 2 cm voxels, front face at z = 0, axis at x = y = 0.
    static func waterBox() throws -> VoxelPhantom {
        let grid = VoxelGrid(counts: (10, 10, 15), originCM: Vec3(-10, -10, 0), spacingCM: Vec3(2, 2, 2))
        return try VoxelPhantom(
            grid: grid, media: ["H2O700ICRU"], mediumIndices: Array(repeating: 0, count: grid.voxelCount),
            densitiesGPerCM3: Array(repeating: 1, count: grid.voxelCount))
    }

    /// Four stored histories (1, 2, 3 and 1 particles: photons, electrons, positrons) scored at z = 50 cm,
    /// standing for 10 original histories.
    static func smallFile(in directory: URL) throws -> URL {
        var layout = IAEARecordLayout()
        layout.storesZ = false
        layout.constantZCM = 50
        let base = directory.appendingPathComponent("small")
        let writer = try IAEAPhaseSpaceWriter(base, layout: layout)
        for (h, n) in [1, 2, 3, 1].enumerated() {
            for i in 0..<n {
                try writer.append(
                    IAEAParticle(
                        type: [.photon, .electron, .positron][i], energyMeV: Float(h + 1), isNewHistory: i == 0,
                        xCM: Float(i), yCM: -1, zCM: 50, u: 0.6, v: 0, w: i == 2 ? -0.8 : 0.8, weight: Float(h + 1) / 4)
                )
            }
        }
        try writer.finish(originalHistories: 10)
        return base
    }

    @Test func historiesMapToStoredHistoriesOncePerPassAndRecycle() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try PhaseSpaceSource(Self.smallFile(in: directory), on: Self.waterBox(), stride: 3)
        #expect(source.originalHistories == 10 && source.index.storedHistories == 4)
        #expect(source.maximumEnergyMeV == 4)
        // Stored history s stands for original history ⌊s·10/4⌋ = 0, 2, 5, 7; the others are empty.
        #expect((0..<10).map { source.storedHistory(for: $0) } == [0, nil, 1, nil, nil, 2, nil, 3, nil, nil])
        #expect((10..<20).map { source.storedHistory(for: $0) } == (0..<10).map { source.storedHistory(for: $0) })
        var rng = RandomStream(seed: 1, history: 5)
        var primaries: [PrimaryParticle] = []
        source.emitPrimaries(history: 5, rng: &rng, into: &primaries)
        // Stored history 2: a photon, an electron and a positron of 3 MeV, weight 3/4, placed with the
        // scoring plane z = 50 on the front face z = 0; the positron flies backwards (w < 0).
        #expect(primaries.map(\.charge) == [0, -1, 1])
        #expect(primaries.allSatisfy { $0.energyMeV == 3 && $0.weight == 0.75 && $0.positionCM.z == 0 })
        #expect(primaries.map(\.positionCM.x) == [0, 1, 2])
        #expect(abs(primaries[2].direction.z + 0.8) < 1e-7 && abs(primaries[0].direction.z - 0.8) < 1e-7)
        primaries.removeAll()
        source.emitPrimaries(history: 13, rng: &rng, into: &primaries)
        #expect(primaries.isEmpty)
        #expect(source.recyclingWarning(histories: 10) == nil)
        let warning = try #require(source.recyclingWarning(histories: 25))
        #expect(warning.contains("2.5 times") && warning.contains("latent variance"))
        try source.checkReads()
    }

    /// Primaries from a cached block, from a block read on a miss, and straight from the file agree.
    @Test func cachedBlocksGiveTheFileParticles() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var layout = IAEARecordLayout()
        layout.extraLongs = [.egsLatch]
        let histories = IAEAFileTests.particles(histories: 101, layout: layout)
        let base = directory.appendingPathComponent("many")
        _ = try IAEAFileTests.write(histories, layout: layout, to: base)
        let source = try PhaseSpaceSource(base, on: Self.waterBox(), surfaceZCM: 0, stride: 7)
        var rng = RandomStream(seed: 1, history: 0)
        // Twice over, in an order that hits blocks both cold and cached.
        for h in Array(0..<101) + Array((0..<101).reversed()) {
            var primaries: [PrimaryParticle] = []
            source.emitPrimaries(history: UInt64(h), rng: &rng, into: &primaries)
            #expect(primaries.map(\.energyMeV) == histories[h].map { Double($0.energyMeV) })
            #expect(primaries.map(\.weight) == histories[h].map { Double($0.weight) })
            #expect(primaries.map(\.positionCM.x) == histories[h].map { Double($0.xCM) })
            #expect(primaries.map(\.charge) == histories[h].map(\.type.charge))
        }
        try source.checkReads()
    }

    /// A block too large to cache (over 65 536 records) is streamed from the file instead.
    @Test func oversizedBlocksAreStreamed() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var layout = IAEARecordLayout()
        layout.storesZ = false
        layout.storesWeight = false
        let base = directory.appendingPathComponent("large")
        let writer = try IAEAPhaseSpaceWriter(base, layout: layout)
        for h in 0..<70_000 {
            try writer.append(
                IAEAParticle(
                    type: .photon, energyMeV: 1 + Float(h) / 70_000, isNewHistory: true, xCM: 0, yCM: 0, zCM: 0, u: 0,
                    v: 0, w: 1))
        }
        try writer.finish()
        let source = try PhaseSpaceSource(base, on: Self.waterBox(), stride: 70_000)
        var rng = RandomStream(seed: 1, history: 0)
        for h in [0, 1, 40_000, 69_999] {
            var primaries: [PrimaryParticle] = []
            source.emitPrimaries(history: UInt64(h), rng: &rng, into: &primaries)
            #expect(primaries.map(\.energyMeV) == [Double(1 + Float(h) / 70_000)])
        }
    }

    @Test func surfaceZPlacesTheFileOnThePhantom() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = try Self.smallFile(in: directory)
        // The file's z = 45 on the front face: the scoring plane (z = 50) lands 5 cm deep.
        let deeper = try PhaseSpaceSource(base, on: Self.waterBox(), surfaceZCM: 45)
        var rng = RandomStream(seed: 1, history: 0)
        var primaries: [PrimaryParticle] = []
        deeper.emitPrimaries(history: 0, rng: &rng, into: &primaries)
        #expect(primaries.map(\.positionCM.z) == [5])
        // Beyond the back face (z = 30) is a placement error naming the option to fix.
        let beyond = try PhaseSpaceSource(base, on: Self.waterBox(), surfaceZCM: 10)
        #expect { try beyond.check(against: Self.waterBox()) } throws: { "\($0)".contains("--phase-space-z") }
    }

    /// The same run on 1 thread in blocks of 7 and on 2 threads in blocks of 1000 is bit-identical.
    @Test func runsAreBitReproducibleAcrossThreadsAndBlocks() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let phantom = try Self.waterBox()
        let source = try PhaseSpaceSource(Self.smallFile(in: directory), on: phantom, surfaceZCM: 55)
        let settings = TransportSettings()
        let simulation = try Simulation(
            phantom: phantom, mediumPhysics: PhysicsMedium.media(named: phantom.media, settings: settings),
            source: source, settings: settings)
        let a = try TransportEngine(simulation: simulation, threads: 1, blockSize: 7).run(
            histories: 60, seed: 3, rounds: 1)
        let b = try TransportEngine(simulation: simulation, threads: 2, blockSize: 1000).run(
            histories: 60, seed: 3, rounds: 2)
        let da = DoseDistribution(tally: a, phantom: phantom), db = DoseDistribution(tally: b, phantom: phantom)
        #expect(da.doseGyPerHistory == db.doseGyPerHistory)
        #expect(da.relativeUncertainty == db.relativeUncertainty)
        #expect(da.maximumDose > 0)
    }
}

/// Cutting a phase space: by type and region, keeping `$ORIG_HISTORIES` and moving the new-history flag.
@Suite struct PhaseSpaceCutTests {
    @Test func cutKeepsOriginalHistoriesAndFlagsTheFirstKeptParticle() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try IAEAPhaseSpaceFile(PhaseSpaceSourceTests.smallFile(in: directory))
        // Electrons only: histories 1 and 2 keep one each (their second particle), now flagged.
        let cut = directory.appendingPathComponent("electrons")
        let header = try file.cut(to: cut) { $0.type == .electron }
        #expect(header.originalHistories == 10 && header.particles == 2 && header.particleCounts == [.electron: 2])
        let read = try IAEAPhaseSpaceFile(cut)
        let particles = try read.particles(0..<read.particles)
        #expect(particles.map(\.isNewHistory) == [true, true])
        #expect(particles.map(\.energyMeV) == [2, 3])
        #expect(try IAEAHistoryIndex(scanning: read).storedHistories == 2)
        // Nothing kept, or the file itself as the output: errors, and no new file.
        #expect { try file.cut(to: directory.appendingPathComponent("none")) { _ in false } } throws: {
            "\($0)".contains("passes the cut")
        }
        #expect { try file.cut(to: file.headerURL) { _ in true } } throws: { "\($0)".contains("cannot overwrite") }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("none.IAEAheader").path))
    }
}
