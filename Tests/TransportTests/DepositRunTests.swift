import Testing
@testable import Transport

/// Deposits in the voxel of the one before (an electron's segments in one voxel) add to that record
/// (`EnergyTally.deposit`): the sums must be those of separate records, and a run must never join two
/// histories, also when the event-based driver records histories interleaved.
@Suite struct DepositRunTests {
    /// (history, voxel, MeV) in the order they happen: runs in one voxel within a history, the same voxel
    /// for two histories back to back, and two histories interleaved in one voxel.
    static let deposits: [(UInt64, Int, Double)] = [
        (0, 1, 0.25), (0, 1, 0.5), (0, 1, 1e-9), (0, 2, 1), (0, 1, 2),
        (1, 1, 3), (1, 1, 0.125),
        (2, 0, 1), (3, 0, 2), (2, 0, 4), (3, 0, 8), (3, 0, 0.5), (2, 2, 1),
    ]

    /// S1 and S2 summed by hand, one quantised deposit at a time.
    static func byHand(voxels: Int) -> ([UInt64], [UInt128]) {
        var x = [[UInt64]](repeating: [UInt64](repeating: 0, count: voxels), count: 4)
        for (h, v, e) in deposits { x[Int(h)][v] += UInt64((e * 0x1p24).rounded()) }
        var s1 = [UInt64](repeating: 0, count: voxels), s2 = [UInt128](repeating: 0, count: voxels)
        for h in 0..<4 {
            for v in 0..<voxels {
                s1[v] += x[h][v]
                s2[v] += UInt128(x[h][v]) * UInt128(x[h][v])
            }
        }
        return (s1, s2)
    }

    @Test func historyByHistoryRunsFoldLikeSeparateDeposits() {
        var tally = EnergyTally(voxelCount: 3)
        // The scalar driver runs one history at a time: the deposits sorted by history, stable.
        var last: UInt64?
        for (h, v, e) in Self.deposits.sorted(by: { $0.0 < $1.0 }) {
            if h != last { tally.beginHistory(h) }
            last = h
            tally.deposit(e, voxel: v)
        }
        tally.flush()
        let (s1, s2) = Self.byHand(voxels: 3)
        #expect(tally.histories == 4)
        #expect(tally.sum == s1)
        #expect(tally.sumOfSquares == s2)
    }

    @Test func recordedRunsNeverJoinTwoHistories() {
        var tally = EnergyTally(voxelCount: 3)
        tally.beginRecording(from: 0)
        for (h, v, e) in Self.deposits {
            tally.recordHistory(h)
            tally.deposit(e, voxel: v)
        }
        // 13 deposits, 9 records: three runs merged within a history (0, 1, 3); history 1's first deposit in
        // voxel 1 right after history 0's there, and histories 2 and 3 alternating in voxel 0, stay apart.
        #expect(tally.records.count == 9)
        tally.foldRecorded(0..<4)
        tally.flush()
        let (s1, s2) = Self.byHand(voxels: 3)
        #expect(tally.sum == s1)
        #expect(tally.sumOfSquares == s2)
    }
}
