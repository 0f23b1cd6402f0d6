import Foundation
import Phantom
import Testing
@testable import Transport

/// The engine's round structure on several threads: blocks that shrink towards a round's end, the round's
/// σ from the threads' unmerged tallies, and the record of where the threads' time went. None of them may
/// change a bit of the tally (DESIGN.md invariant 1).
@Suite struct EngineSchedulingTests {
    /// The blocks `claim` hands out, in order, when threads take them one after another from `count`.
    static func blocks(count: Int, blockSize: Int, threads: Int) -> [Int] {
        var taken = 0, sizes: [Int] = []
        while taken < count {
            let n = TransportEngine.claim(left: count - taken, blockSize: blockSize, threads: threads)
            sizes.append(n)
            taken += n
        }
        return sizes
    }

    @Test(arguments: [(15_000, 1000, 2), (15_000, 1000, 4), (999, 1000, 2), (300, 7, 2), (1, 1000, 2)])
    func blocksShrinkTowardsTheRoundsEnd(count: Int, blockSize: Int, threads: Int) {
        let sizes = Self.blocks(count: count, blockSize: blockSize, threads: threads)
        let minimum = TransportEngine.minimumBlock(blockSize)
        #expect(sizes.reduce(0, +) == count)
        #expect(sizes.allSatisfy { $0 >= 1 && $0 <= blockSize })
        // Never larger than the one before: the last blocks are the smallest.
        #expect(zip(sizes, sizes.dropFirst()).allSatisfy { $0 >= $1 })
        // Factoring: a block is at most half a thread's share of what is left (or a minimum block), so
        // no thread's last block keeps the others waiting longer than a minimum block.
        var left = count
        for n in sizes {
            #expect(n <= max(minimum, (left + 2 * threads - 1) / (2 * threads)))
            left -= n
        }
        #expect(sizes.last! <= minimum)
    }

    @Test func oneThreadTakesWholeBlocks() {
        #expect(Self.blocks(count: 2500, blockSize: 1000, threads: 1) == [1000, 1000, 500])
    }

    /// A round shorter than one block still runs on every thread that gets a minimum block of it.
    @Test func shortRoundsSplitOverTheThreads() {
        #expect(TransportEngine.workers(count: 50, blockSize: 1000, threads: 2) == 2)
        #expect(TransportEngine.workers(count: 50, blockSize: 1000, threads: 8) == 4)  // minimum blocks of 15
        #expect(TransportEngine.workers(count: 10, blockSize: 1000, threads: 2) == 1)
        #expect(TransportEngine.workers(count: 1_000_000, blockSize: 1000, threads: 1) == 1)
        #expect(Self.blocks(count: 50, blockSize: 1000, threads: 2) == [15, 15, 15, 5])
    }

    /// The σ from several tallies, in chunks on two threads, is the merged tally's σ bit for bit, for
    /// chunk sizes that do and do not divide the grid.
    @Test(arguments: [1, 7, 100, 4096])
    func roundUncertaintyEqualsTheMergedTallys(chunkVoxels: Int) throws {
        let sim = try VarianceReductionTests.simulation { _ in }
        let engine = try TransportEngine(simulation: sim, threads: 1, blockSize: 40)
        let parts = [engine.runRange(0..<90, seed: 3), engine.runRange(90..<100, seed: 3), engine.runRange(100..<250, seed: 3)]
        var merged = EnergyTally(voxelCount: sim.phantom.grid.voxelCount)
        for p in parts { merged.merge(p) }
        let expected = DoseDistribution(tally: merged, phantom: sim.phantom).meanRelativeUncertaintyAboveHalfMax
        #expect(expected > 0)
        for threads in [1, 2] {
            let sigma = RoundUncertainty(phantom: sim.phantom, threads: threads, chunkVoxels: chunkVoxels)
            #expect(sigma.mean(of: parts).bitPattern == expected.bitPattern)
            #expect(sigma.mean(of: [merged]).bitPattern == expected.bitPattern)
        }
        // Fewer than two histories: no uncertainty, as the distribution's.
        let empty = EnergyTally(voxelCount: sim.phantom.grid.voxelCount)
        #expect(RoundUncertainty(phantom: sim.phantom, threads: 2, chunkVoxels: chunkVoxels).mean(of: [empty, empty]) == 0)
    }

    /// Two threads with shrinking blocks give the one-thread tally, and every round's reported usage is
    /// consistent: busy thread time within the threads' share of the parallel phases, both growing.
    @Test(arguments: [TransportDriver.scalar, .simd])
    func usageIsRecordedAndTheTallyUnchanged(driver: TransportDriver) throws {
        let sim = try VarianceReductionTests.simulation { _ in }
        let one = try TransportEngine(simulation: sim, threads: 1, blockSize: 1000, driver: driver)
            .run(histories: 400, seed: 21, rounds: 1)
        var reports: [TransportEngine.Progress] = []
        let two = try TransportEngine(simulation: sim, threads: 2, blockSize: 64, driver: driver)
            .run(histories: 400, seed: 21, rounds: 4) { reports.append($0) }
        #expect(two.sum == one.sum)
        #expect(two.sumOfSquares == one.sumOfSquares)
        #expect(two.histories == 400)
        #expect(reports.count == 4)
        for (a, b) in zip(reports, reports.dropFirst()) {
            #expect(b.usage.busyThreadSeconds > a.usage.busyThreadSeconds)
            #expect(b.usage.parallelSeconds > a.usage.parallelSeconds)
        }
        for r in reports {
            #expect(r.usage.busyThreadSeconds <= 2 * r.usage.parallelSeconds)
        }
    }
}
