import Foundation
import Physics
import Testing
import Transport

@Suite struct EnergyTallyTests {
    @Test func historyByHistoryMatchesDirectFormula() {
        // Three histories deposit 1, 2 (as 0.5 + 1.5) and 3 MeV in voxel 0.
        var t = EnergyTally(voxelCount: 2)
        t.beginHistory(0); t.deposit(1, voxel: 0)
        t.beginHistory(1); t.deposit(0.5, voxel: 0); t.deposit(1.5, voxel: 0)
        t.beginHistory(2); t.deposit(3, voxel: 0)
        let (mean, rel) = t.meanEnergyPerHistory()
        #expect(mean[0] == 2)
        // s² of the mean = (mean(x²) − mean²)/(N−1) = (14/3 − 4)/2 = 1/3.
        #expect(abs(rel[0] - (1.0 / 3).squareRoot() / 2) < 1e-12)
        #expect(mean[1] == 0 && rel[1] == 0)
    }

    @Test func mergeIsExactAndOrderFree() {
        func tally(_ histories: Range<UInt64>) -> EnergyTally {
            var t = EnergyTally(voxelCount: 3)
            for h in histories {
                t.beginHistory(h)
                t.deposit(0.1 * Double(h % 7) + 1e-3, voxel: Int(h % 3))
                t.deposit(0.37, voxel: 1)
            }
            t.flush()
            return t
        }
        var ab = tally(0..<50)
        ab.merge(tally(50..<100))
        var ba = tally(50..<100)
        ba.merge(tally(0..<50))
        let whole = tally(0..<100)
        #expect(ab.sum == whole.sum && ba.sum == whole.sum)
        #expect(ab.sumOfSquares == whole.sumOfSquares && ba.sumOfSquares == whole.sumOfSquares)
        #expect(ab.histories == 100)
    }
}

/// The history fold (deposits recorded, folded when the history ends) against S1 and S2 summed by hand.
@Suite struct EnergyTallyFoldTests {
    /// Random histories: some deposit nothing, some hit a voxel many times; energies from 10⁻⁹ MeV (below
    /// half a quantum: rounds to zero quanta) to 20 MeV.
    static func histories(_ count: Int, voxels: Int, seed: UInt64) -> [[(voxel: Int, energyMeV: Double)]] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            (0..<Int(rng.next() % 30)).map { _ in
                (Int(rng.next() % UInt64(voxels)), pow(10, -9 + 10.3 * Double(rng.next() >> 11) * 0x1p-53))
            }
        }
    }

    @Test func foldEqualsTheSumsByHand() {
        let voxels = 40
        let all = Self.histories(300, voxels: voxels, seed: 5)
        var tally = EnergyTally(voxelCount: voxels)
        var s1 = [UInt64](repeating: 0, count: voxels)
        var s2 = [UInt128](repeating: 0, count: voxels)
        for (h, deposits) in all.enumerated() {
            tally.beginHistory(UInt64(h))
            var x = [UInt64](repeating: 0, count: voxels)
            for d in deposits {
                tally.deposit(d.energyMeV, voxel: d.voxel)
                x[d.voxel] += UInt64((d.energyMeV * 0x1p24).rounded())
            }
            for v in 0..<voxels {
                s1[v] += x[v]
                s2[v] += UInt128(x[v]) * UInt128(x[v])
            }
            // Reading the dose in the middle of a history leaves the tally as it was (value semantics).
            if h == 150 { _ = tally.meanEnergyPerHistory() }
        }
        tally.flush()
        #expect(tally.histories == 300)
        #expect(tally.sum == s1)
        #expect(tally.sumOfSquares == s2)
    }

    @Test func aHistoryBegunAgainAtOnceKeepsAddingToItsDeposits() {
        // A decomposed run's slab transports a history's banked particles one after another: x_h is the
        // sum of both (and the history count is the slab's business, `BatchTally`).
        var tally = EnergyTally(voxelCount: 2)
        tally.beginHistory(7); tally.deposit(1, voxel: 0)
        tally.beginHistory(7); tally.deposit(2, voxel: 0)
        tally.beginHistory(8); tally.deposit(4, voxel: 0)
        tally.flush()
        let q = UInt64(0x1p24)
        #expect(tally.sum[0] == 7 * q)
        #expect(tally.sumOfSquares[0] == UInt128(3 * q) * UInt128(3 * q) + UInt128(4 * q) * UInt128(4 * q))
    }
}

/// The engine's per-round σ (`DoseDistribution.meanRelativeUncertaintyAboveHalfMax(of:phantom:)`) is the
/// same number as the one of the full distribution, bit for bit.
@Suite struct RoundUncertaintyTests {
    @Test func equalsTheDistributionsValue() throws {
        let sim = try VarianceReductionTests.simulation { _ in }
        let engine = try TransportEngine(simulation: sim, threads: 1, blockSize: 40)
        var reported: [Double] = []
        let tally = try engine.run(histories: 240, seed: 11, rounds: 3) { reported.append($0.meanRelativeUncertainty) }
        let full = DoseDistribution(tally: tally, phantom: sim.phantom).meanRelativeUncertaintyAboveHalfMax
        #expect(full > 0)
        #expect(reported.last?.bitPattern == full.bitPattern)
        #expect(DoseDistribution.meanRelativeUncertaintyAboveHalfMax(of: tally, phantom: sim.phantom).bitPattern == full.bitPattern)
        // No histories: no uncertainty (as the distribution's).
        let empty = EnergyTally(voxelCount: sim.phantom.grid.voxelCount)
        #expect(DoseDistribution.meanRelativeUncertaintyAboveHalfMax(of: empty, phantom: sim.phantom) == 0)
        #expect(DoseDistribution(tally: empty, phantom: sim.phantom).meanRelativeUncertaintyAboveHalfMax == 0)
    }
}
