import Testing
import Transport

@Suite struct PhiloxTests {
    /// Known-answer vectors for philox4x32-10 from the Random123 distribution (D. E. Shaw Research,
    /// Random123 1.09, `examples/kat_vectors`, the lines "philox4x32 10 <counter> <key> <result>"),
    /// which accompany Salmon et al., SC'11. Counter and key as four and two 32-bit words.
    @Test(arguments: [
        ([0, 0, 0, 0], [0, 0], [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]),
        ([0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff], [0xffff_ffff, 0xffff_ffff],
         [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]),
        ([0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344], [0xa409_3822, 0x299f_31d0],
         [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]),
    ] as [([UInt32], [UInt32], [UInt32])])
    func knownAnswers(counter: [UInt32], key: [UInt32], expected: [UInt32]) {
        let out = Philox4x32.block(SIMD4(counter), key: SIMD2(key))
        #expect(out == SIMD4(expected))
    }

    @Test func streamsAreReproducibleAndDistinct() {
        var a = RandomStream(seed: 7, history: 42), b = RandomStream(seed: 7, history: 42)
        let xa = (0..<10).map { _ in a.nextUInt32() }, xb = (0..<10).map { _ in b.nextUInt32() }
        #expect(xa == xb)
        var c = RandomStream(seed: 7, history: 43)
        #expect((0..<10).map { _ in c.nextUInt32() } != xa)
        var childA = a.spawn(), childB = b.spawn()
        #expect(childA.nextUInt32() == childB.nextUInt32())
        let second = a.spawn()
        #expect(second.streamID != childA.streamID)
    }

    @Test func uniformIsInOpenUnitIntervalWithMeanOneHalf() {
        var r = RandomStream(seed: 1, history: 0)
        var s = 0.0
        let n = 100_000
        for _ in 0..<n {
            let u = r.uniform()
            #expect(u > 0 && u < 1)
            s += u
        }
        // The mean of n uniforms has σ = 1/√(12n) ≈ 9e-4; 5σ bound.
        #expect(abs(s / Double(n) - 0.5) < 5 * (1.0 / (12.0 * Double(n))).squareRoot())
    }
}
