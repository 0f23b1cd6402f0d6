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
