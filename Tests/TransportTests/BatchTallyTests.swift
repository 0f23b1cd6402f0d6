import Testing
import Transport

@Suite struct BatchTallyTests {
    /// The batch estimator against the textbook sample variance of the batch means, computed directly.
    @Test func uncertaintyIsTheSpreadOfBatchMeans() {
        var t = BatchTally(voxelCount: 2)
        let sums: [UInt64] = [100, 130, 90, 110, 120, 80, 105, 95, 115, 55]
        for x in sums { t.add(batch: [x << 24, 0], histories: 50) }
        #expect(t.histories == 500 && t.batches == 10)
        let (energy, rel) = t.meanEnergyPerHistory()
        let means = sums.map { Double($0) / 50 }
        let mean = means.reduce(0, +) / 10
        let s2 = means.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 9 / 10
        // 1 MeV = 2²⁴ quanta exactly; the two variance forms differ only by rounding (1e-12 relative).
        #expect(abs(energy[0] - mean) < 1e-12 * mean)
        #expect(abs(rel[0] - s2.squareRoot() / mean) < 1e-9)
        #expect(energy[1] == 0 && rel[1] == 0)
    }

    /// Sums are exact and do not depend on the order batches arrive in.
    @Test func orderDoesNotMatter() {
        var a = BatchTally(voxelCount: 1), b = BatchTally(voxelCount: 1)
        let xs: [UInt64] = [UInt64.max >> 8, 3, 1 << 50]
        for x in xs { a.add(batch: [x], histories: 1) }
        for x in xs.reversed() { b.add(batch: [x], histories: 1) }
        #expect(a == b)
    }
}
