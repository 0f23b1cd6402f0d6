import Foundation
import Testing

@testable import Transport

/// Tallies kept between runs (`TallyPool`, `EnergyTally.reset`): a reused tally must give exactly the sums a
/// fresh one gives, whatever the earlier runs touched; emptying, merging and listing read only the marked
/// blocks of voxels, so a block left unmarked with sums in it would show up here as a difference.
@Suite struct TallyReuseTests {
    /// The random histories of `EnergyTallyFoldTests` (up to 29 deposits each, some rounding to zero quanta)
    /// into voxels spread over the whole grid, the last partial block included.
    static func fill(_ tally: inout EnergyTally, histories: Range<UInt64>, seed: UInt64) {
        let all = EnergyTallyFoldTests.histories(histories.count, voxels: tally.voxelCount, seed: seed)
        for (h, deposits) in zip(histories, all) {
            tally.beginHistory(h)
            for d in deposits { tally.deposit(d.energyMeV, voxel: d.voxel) }
        }
        tally.flush()
    }

    /// 1 000 voxels (7 full blocks and a partial one) and 70 000 (mapped from the kernel, > 1 MiB of records).
    @Test(arguments: [1_000, 70_000])
    func aResetTallyEqualsAFreshOne(voxels: Int) {
        var reused = EnergyTally(voxelCount: voxels)
        for (seed, histories) in [(UInt64(1), 0..<UInt64(400)), (2, 10..<30), (3, 0..<900), (4, 5..<6)] {
            Self.fill(&reused, histories: histories, seed: seed)
            reused.reset()
            #expect(reused.histories == 0)
            #expect(reused.sum.allSatisfy { $0 == 0 } && reused.sumOfSquares.allSatisfy { $0 == 0 })
            var fresh = EnergyTally(voxelCount: voxels)
            Self.fill(&fresh, histories: histories, seed: seed &+ 100)
            Self.fill(&reused, histories: histories, seed: seed &+ 100)
            #expect(reused.sum == fresh.sum && reused.sumOfSquares == fresh.sumOfSquares)
            #expect(reused.histories == fresh.histories)
            reused.reset()
        }
    }

    /// The last voxel of a grid whose last block is partial, and the first: marked, emptied, merged and listed.
    @Test func theGridsEdgesAreMarked() {
        var a = EnergyTally(voxelCount: 129)
        a.beginHistory(0)
        a.deposit(1, voxel: 128)
        a.deposit(2, voxel: 0)
        a.flush()
        var listed: [Int] = []
        a.forEachNonzeroVoxel { v, _, _ in listed.append(v) }
        #expect(listed == [0, 128])
        var b = EnergyTally(voxelCount: 129)
        b.merge(a)
        #expect(b.sum == a.sum && b.sumOfSquares == a.sumOfSquares)
        a.reset()
        #expect(a.sum.allSatisfy { $0 == 0 })
        // The merged copy was marked too: emptying it leaves nothing.
        b.reset()
        #expect(b.sum.allSatisfy { $0 == 0 } && b.sumOfSquares.allSatisfy { $0 == 0 })
    }

    /// Listing the nonzero voxels block by block gives what a scan of every voxel gives; merging only the
    /// other's marked blocks gives the dense sum; a copy made on write keeps the marks.
    @Test func listingMergingAndCopyingFollowTheMarks() {
        var a = EnergyTally(voxelCount: 5_000), b = EnergyTally(voxelCount: 5_000)
        Self.fill(&a, histories: 0..<50, seed: 7)
        Self.fill(&b, histories: 50..<90, seed: 8)
        var listed: [(Int, UInt64, UInt128)] = []
        a.forEachNonzeroVoxel { listed.append(($0, $1, $2)) }
        let scanned = (0..<a.voxelCount).filter { a.sum[$0] != 0 }.map { ($0, a.sum[$0], a.sumOfSquares[$0]) }
        #expect(listed.map(\.0) == scanned.map(\.0) && listed.map(\.1) == scanned.map(\.1)
            && listed.map(\.2) == scanned.map(\.2))
        let view = a.sum
        var merged = a
        merged.merge(b)
        #expect(Array(merged.sum) == zip(view, b.sum).map { $0 + $1 })
        #expect(a.sum == view)
        merged.reset()
        #expect(merged.sum.allSatisfy { $0 == 0 } && a.sum == view)
    }

    /// The engine's tallies kept across runs of different lengths and seeds give the tallies of a fresh
    /// engine, for both drivers and one or two threads (the pool then holds as many tallies as threads ran).
    @Test(arguments: [(TransportDriver.scalar, 1), (.scalar, 2), (.simd, 2)])
    func anEngineReusingItsTalliesGivesAFreshEnginesTallies(driver: TransportDriver, threads: Int) throws {
        let sim = try VarianceReductionTests.simulation { _ in }
        let kept = try TransportEngine(simulation: sim, threads: threads, blockSize: 30, driver: driver)
        for (range, seed) in [(0..<UInt64(240), UInt64(3)), (240..<260, 4), (7..<8, 5), (0..<180, 6)] {
            let fresh = try TransportEngine(simulation: sim, threads: threads, blockSize: 30, driver: driver)
                .runRange(range, seed: seed)
            let same = kept.runRange(range, seed: seed) { t in
                t.histories == fresh.histories && t.sum == fresh.sum && t.sumOfSquares == fresh.sumOfSquares
            }
            #expect(same, "range \(range), seed \(seed)")
            #expect(kept.tallies.count <= threads)
        }
        // The rounds' path (`run`) on the same pool: same tally as a fresh engine's.
        let fresh = try TransportEngine(simulation: sim, threads: threads, blockSize: 30, driver: driver)
            .run(histories: 200, seed: 9, rounds: 3)
        let again = try kept.run(histories: 200, seed: 9, rounds: 3)
        #expect(again.sum == fresh.sum && again.sumOfSquares == fresh.sumOfSquares)
    }

    /// Engines sharing a pool (a plan's beams) keep one set of tallies between them.
    @Test func enginesOnOneGridShareTheirTallies() throws {
        let sim = try VarianceReductionTests.simulation { _ in }
        let pool = TallyPool()
        let a = try TransportEngine(simulation: sim, threads: 2, blockSize: 20).sharingTallies(pool)
        let b = try TransportEngine(simulation: sim, threads: 2, blockSize: 20, tallies: pool)
        let one = a.runRange(0..<100, seed: 1) { Array($0.sum) }
        let other = b.runRange(0..<100, seed: 1) { Array($0.sum) }
        #expect(one == other && one.reduce(0, +) > 0)
        // At most one tally per thread that ran at once (a thread that starts after another ended takes its).
        #expect((1...2).contains(pool.count) && a.tallies === b.tallies)
    }

    /// The memory per thread an engine reports: 32 bytes per voxel of records, and the most of them one
    /// thread's histories wrote, counted in blocks of 128 voxels (4 KiB), emptied blocks included.
    @Test func memoryPerThreadIsReported() throws {
        let sim = try VarianceReductionTests.simulation { _ in }
        let engine = try TransportEngine(simulation: sim, threads: 2, blockSize: 20)
        #expect(engine.tallyBytesPerThread == TallyPool.Footprint(recordBytes: 972 * 32, touchedBytes: 0))
        let touched = engine.runRange(0..<100, seed: 1) { $0.touchedBytes }
        // 972 voxels are 8 blocks (the last one partial); a 2 × 2 cm field reaches some of them.
        #expect(touched > 0 && touched <= 8 * 4096 && touched % 4096 == 0)
        #expect(engine.tallyBytesPerThread == TallyPool.Footprint(recordBytes: 972 * 32, touchedBytes: touched))
        var large = EnergyTally(voxelCount: 1_000_000)
        #expect(large.recordBytes == 32_000_000 && large.touchedBytes == 0)
        #expect(UInt(bitPattern: large.sums.base) % UInt(VoxelSumsStorage.lineBytes) == 0 && large.sums.mapped)
        large.beginHistory(0)
        large.deposit(1, voxel: 0)
        large.deposit(1, voxel: 127)
        large.deposit(1, voxel: 500_000)
        large.flush()
        #expect(large.touchedBytes == 2 * 4096)
        large.reset()
        #expect(large.touchedBytes == 2 * 4096 && large.sum.allSatisfy { $0 == 0 })
        large.beginHistory(0)
        large.deposit(1, voxel: 999_999)
        large.flush()
        #expect(large.touchedBytes == 3 * 4096)
    }
}
