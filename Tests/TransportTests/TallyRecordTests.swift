import Testing

@testable import Transport

/// The tally's per-voxel records (`VoxelSums`, `VoxelSumsStorage`) and the `sum` / `sumOfSquares` views of
/// them (`TallyColumn`): layout, value semantics, and the sums an array-per-column tally gave.
@Suite struct TallyRecordTests {
    @Test func aVoxelsSumsShareOneCacheLine() {
        // 32-byte records in a block aligned to 64 bytes: no record straddles two lines (an array of them
        // starts 16 bytes past a line, docs/performance.md session 8).
        #expect(MemoryLayout<VoxelSums>.stride == 32)
        for voxels in [1, 7, 223_260] {
            let tally = EnergyTally(voxelCount: voxels)
            #expect(UInt(bitPattern: tally.sums.base) % UInt(VoxelSumsStorage.lineBytes) == 0)
            #expect(tally.sum.count == voxels && tally.sum.allSatisfy { $0 == 0 })
        }
    }

    @Test func viewsKeepTheSumsTheyWereTakenWith() {
        var tally = EnergyTally(voxelCount: 3)
        tally.beginHistory(0); tally.deposit(1, voxel: 1)
        tally.flush()
        let s1 = tally.sum, s2 = tally.sumOfSquares
        let copy = tally
        tally.beginHistory(1); tally.deposit(2, voxel: 1); tally.deposit(0.5, voxel: 2)
        tally.flush()
        let q = UInt64(0x1p24)
        // The views and the copy still show one history; the written tally copied its records first.
        #expect(s1 == [0, q, 0] && s2 == [0, UInt128(q) * UInt128(q), 0])
        #expect(copy.sum == s1 && copy.sumOfSquares == s2)
        #expect(tally.sum == [0, 3 * q, q / 2])
        #expect(tally.sumOfSquares == [0, UInt128(q) * UInt128(q) + UInt128(2 * q) * UInt128(2 * q), UInt128(q / 2) * UInt128(q / 2)])
        #expect(tally.sum != copy.sum)
        // Slices and arrays of a view read the same values.
        #expect(Array(tally.sum[1...]) == [3 * q, q / 2])
    }

    @Test func sumsInAndOutThroughArraysAreTheSame() {
        // The wire's path: arrays out of one tally, a tally made from them, merged into another.
        var a = EnergyTally(voxelCount: 4)
        for h in 0..<UInt64(20) {
            a.beginHistory(h)
            a.deposit(0.25 * Double(h % 5) + 1e-3, voxel: Int(h % 4))
            a.deposit(3, voxel: 2)
        }
        a.flush()
        let received = EnergyTally(histories: a.histories, sum: Array(a.sum), sumOfSquares: Array(a.sumOfSquares))
        #expect(received.sum == a.sum && received.sumOfSquares == a.sumOfSquares && received.histories == 20)
        var twice = received
        twice.merge(a)
        #expect(twice.sum == a.sum.map { 2 * $0 } && twice.sumOfSquares == a.sumOfSquares.map { 2 * $0 })
        // The merge wrote `twice`'s own copy: `received` still holds one tally's sums.
        #expect(received.sum == a.sum)
    }
}
