import Testing
import Transport

@Suite struct PhiloxLanesTests {
    /// Eight lanes must give, bit for bit, the scalar Philox of each lane's counter (which is itself
    /// pinned to the Random123 known answers in PhiloxTests).
    @Test(arguments: [SIMD2<UInt32>(0, 0), SIMD2(0xFFFF_FFFF, 0xFFFF_FFFF), SIMD2(0xA409_3822, 0x299F_31D0), SIMD2(7, 1)])
    func lanesMatchScalarPhilox(key: SIMD2<UInt32>) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(key.x)
        func next() -> UInt32 {  // splitmix64 (Steele, Lea & Flood 2014) for varied test counters
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return UInt32(truncatingIfNeeded: z ^ (z >> 31))
        }
        for _ in 0..<64 {
            var c = PhiloxLanes.Block(x: .zero, y: .zero, z: .zero, w: .zero)
            for l in 0..<8 { (c.x[l], c.y[l], c.z[l], c.w[l]) = (next(), next(), next(), next()) }
            c.x[0] = 0xFFFF_FFFF  // carries through the high product words
            let out = PhiloxLanes.block(c, key: key)
            for l in 0..<8 { #expect(out[lane: l] == Philox4x32.block(c[lane: l], key: key)) }
        }
    }

    @Test func uniformsMatchTheScalarStream() {
        var stream = RandomStream(seed: 3, history: 77)
        let bits = SIMD8<UInt32>((0..<8).map { _ in stream.nextUInt32() })
        var again = RandomStream(seed: 3, history: 77)
        let (lo, hi) = PhiloxLanes.uniform(bits)
        for l in 0..<8 { #expect((l < 4 ? lo[l] : hi[l - 4]) == again.uniform()) }
    }
}
