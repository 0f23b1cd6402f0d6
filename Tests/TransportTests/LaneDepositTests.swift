import Testing
@testable import Transport

/// The charged lanes' open deposit records (`LaneDeposit`): merged deposits give the tally's integer sums.
@Suite struct LaneDepositTests {
    /// Two lanes (histories 20 and 21) interleave their deposits, as the event driver's lanes do: each
    /// lane's run in one voxel reaches the tally as one record, and the folded sums equal those of the same
    /// deposits made one by one, history by history.
    @Test func mergedRunsFoldLikeSingleDeposits() {
        let deposits: [(lane: Int, voxel: Int, energyMeV: Double)] = [
            (0, 1, 0.3), (1, 1, 0.2), (0, 1, 0.7), (1, 2, 1.1), (0, 1, 1e-9), (0, 2, 0.4), (1, 2, 0.0), (1, 2, 2.5),
            (0, 2, 0.125), (1, 0, 0.01), (0, 1, 0.6),
        ]
        var direct = EnergyTally(voxelCount: 3)
        for h in 0..<2 {
            direct.beginHistory(UInt64(20 + h))
            for d in deposits where d.lane == h { direct.deposit(d.energyMeV, voxel: d.voxel) }
        }
        direct.flush()
        var merged = EnergyTally(voxelCount: 3)
        merged.beginRecording(from: 20)
        var lanes = [LaneDeposit(), LaneDeposit()]
        for d in deposits {
            lanes[d.lane].add(d.energyMeV, voxel: d.voxel, history: UInt64(20 + d.lane), tally: &merged)
        }
        for l in 0..<2 { lanes[l].close(history: UInt64(20 + l), tally: &merged) }
        // Runs per lane: lane 0 voxels 1 1 1 | 2 2 | 1, lane 1 voxels 1 | 2 2 (the zero adds nothing) | 0.
        #expect(merged.records.count == 6)
        #expect(lanes.allSatisfy { $0.voxel == -1 })
        merged.foldRecorded(20..<22)
        merged.flush()
        #expect(merged.histories == 2)
        #expect(merged.sum == direct.sum)
        #expect(merged.sumOfSquares == direct.sumOfSquares)
    }
}
