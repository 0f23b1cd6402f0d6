import Foundation
import Geometry
import Phantom
import Physics
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

    /// Voxels exactly at half the maximum (not above it), one quantum above it, and maxima that differ by
    /// one quantum in voxels of different densities: the approximate first pass must leave every decision
    /// to the exact dose where they are this close.
    @Test(arguments: [1, 5, 64])
    func roundUncertaintyDecidesTiesExactly(chunkVoxels: Int) throws {
        let grid = VoxelGrid(counts: (4, 4, 4), originCM: Vec3(0, 0, 0), spacingCM: Vec3(0.5, 0.5, 0.5))
        // Densities 1, 2 and 3 g/cm³ (3 makes S1/m inexact in binary), one empty voxel of zero density.
        let rho = (0..<grid.voxelCount).map { $0 == 63 ? Float(0) : Float(1 + $0 % 3) }
        let phantom = try VoxelPhantom(grid: grid, media: ["A"], mediumIndices: [UInt8](repeating: 0, count: grid.voxelCount),
                                       densitiesGPerCM3: rho)
        let big: UInt64 = 3 << 40
        var s1 = (0..<grid.voxelCount).map { UInt64($0 + 1) << 20 }
        s1[0] = big                    // ρ = 1: the maximum
        s1[3] = big + 1                // ρ = 1: one quantum more, the maximum after all
        s1[6] = (big + 1) / 2          // ρ = 1: at most half
        s1[9] = (big + 1) / 2 + 1      // ρ = 1: just above half
        s1[1] = big + 1                // ρ = 2: exactly half the maximum's dose, not above it
        s1[4] = big + 2                // ρ = 2: above half
        s1[2] = (3 * (big + 1)) / 2    // ρ = 3: within a quantum of half
        s1[63] = big * 4               // zero density: no dose however much energy
        let s2 = s1.map { UInt128($0) * UInt128($0) / 7 + UInt128($0) }
        let split = (0..<grid.voxelCount).map { v in s1[v] / 3 }
        let parts = [EnergyTally(histories: 7, sum: split, sumOfSquares: s2.map { $0 / 2 }),
                     EnergyTally(histories: 7, sum: zip(s1, split).map { $0 - $1 }, sumOfSquares: s2.map { $0 - $0 / 2 })]
        let whole = EnergyTally(histories: 14, sum: s1, sumOfSquares: s2)
        let expected = DoseDistribution(tally: whole, phantom: phantom).meanRelativeUncertaintyAboveHalfMax
        #expect(expected > 0)
        for threads in [1, 2] {
            let sigma = RoundUncertainty(phantom: phantom, threads: threads, chunkVoxels: chunkVoxels)
            #expect(sigma.mean(of: parts).bitPattern == expected.bitPattern)
            #expect(sigma.mean(of: [whole]).bitPattern == expected.bitPattern)
        }
    }

    /// Random tallies whose doses sit within a quantum or two of half the maximum, in voxels of random
    /// densities, with sums near 2⁵² quanta (where one quantum is a few roundings): the σ is the merged
    /// distribution's, bit for bit, in every trial. (With no margin the approximate pass gets some of these
    /// decisions wrong.)
    @Test func roundUncertaintyMatchesOnNearTies() throws {
        let grid = VoxelGrid(counts: (8, 4, 4), originCM: Vec3(0, 0, 0), spacingCM: Vec3(0.3, 0.3, 0.3))
        var rng = SplitMix64(seed: 2024)
        var mismatches = 0, nearTies = 0
        for _ in 0..<200 {
            let rho = (0..<grid.voxelCount).map { _ in Float(0.2 + 2.8 * Double(rng.next() >> 11) * 0x1p-53) }
            let phantom = try VoxelPhantom(grid: grid, media: ["A"], mediumIndices: [UInt8](repeating: 0, count: grid.voxelCount),
                                           densitiesGPerCM3: rho)
            let top = (UInt64(1) << 50) + rng.next() % (UInt64(3) << 50)
            var s1 = [UInt64](repeating: 0, count: grid.voxelCount)
            s1[0] = top
            for v in 1..<grid.voxelCount {
                // Half the maximum's dose in voxel v, give or take two quanta; a few near the maximum itself.
                let target = Double(top) * Double(rho[v]) / Double(rho[0]) * (v % 9 == 0 ? 1 : 0.5)
                s1[v] = UInt64(target) &+ rng.next() % 5 &- 2
            }
            // S2 so that every voxel has its own non-zero relative uncertainty (S2/N > (S1/N)² for N = 1 000).
            let s2 = s1.indices.map { UInt128(s1[$0]) * UInt128(s1[$0]) / UInt128(400 + $0) }
            let whole = EnergyTally(histories: 1_000, sum: s1, sumOfSquares: s2)
            let dose = DoseDistribution(tally: whole, phantom: phantom)
            let half = 0.5 * dose.maximumDose
            nearTies += dose.doseGyPerHistory.filter { abs($0 / half - 1) < 1e-14 }.count
            let expected = dose.meanRelativeUncertaintyAboveHalfMax
            let sigma = RoundUncertainty(phantom: phantom, threads: 1, chunkVoxels: 16).mean(of: [whole])
            if sigma.bitPattern != expected.bitPattern { mismatches += 1 }
        }
        #expect(mismatches == 0)
        #expect(nearTies > 1_000, "the inputs must put many doses within 10⁻¹⁴ of half the maximum")
    }

    /// A short run pays one σ pass over the grid, not twenty; a long one still reports at least every 5 %.
    @Test func shortRunsHaveFewRounds() {
        #expect(TransportEngine.progressRounds(histories: 1) == 1)
        #expect(TransportEngine.progressRounds(histories: 20_000) == 1)
        #expect(TransportEngine.progressRounds(histories: 300_000) == 6)
        #expect(TransportEngine.progressRounds(histories: 1_000_000) == 20)
        #expect(TransportEngine.progressRounds(histories: 1 << 40) == 20)
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
