/// Philox4x32-10 on eight counters at once, one counter per SIMD lane (the four counter words as four
/// `SIMD8<UInt32>`, "struct of arrays"), for the vectorised driver's random streams.
///
/// Lane l of the result is exactly `Philox4x32.block` of lane l's counter under the same key (the same
/// rounds, multipliers and Weyl key schedule; Salmon et al., SC'11): the 32×32 → 64-bit products are
/// formed in `SIMD8<UInt64>`, which AVX2 compiles to `vpmuludq` on four lanes per instruction.
public enum PhiloxLanes {
    /// Four counter (or output) words, one 32-bit word of eight independent blocks per vector.
    public struct Block: Sendable, Equatable {
        public var x: SIMD8<UInt32>
        public var y: SIMD8<UInt32>
        public var z: SIMD8<UInt32>
        public var w: SIMD8<UInt32>

        /// Eight counters as four word vectors.
        public init(x: SIMD8<UInt32>, y: SIMD8<UInt32>, z: SIMD8<UInt32>, w: SIMD8<UInt32>) {
            (self.x, self.y, self.z, self.w) = (x, y, z, w)
        }

        /// Lane `lane` as one scalar Philox counter or output.
        public subscript(lane lane: Int) -> SIMD4<UInt32> { SIMD4(x[lane], y[lane], z[lane], w[lane]) }
    }

    /// Encrypts eight counters under one `key` with 10 rounds.
    @inlinable
    public static func block(_ counter: Block, key: SIMD2<UInt32>) -> Block {
        let m0 = SIMD8<UInt64>(repeating: 0xD251_1F53)
        let m1 = SIMD8<UInt64>(repeating: 0xCD9E_8D57)
        var c = counter
        var k0 = key.x, k1 = key.y
        for round in 0..<10 {
            if round > 0 {
                k0 &+= 0x9E37_79B9
                k1 &+= 0xBB67_AE85
            }
            let p0 = m0 &* SIMD8<UInt64>(truncatingIfNeeded: c.x)
            let p1 = m1 &* SIMD8<UInt64>(truncatingIfNeeded: c.z)
            let hi0 = SIMD8<UInt32>(truncatingIfNeeded: p0 &>> 32)
            let hi1 = SIMD8<UInt32>(truncatingIfNeeded: p1 &>> 32)
            c = Block(x: hi1 ^ c.y ^ SIMD8(repeating: k0), y: SIMD8<UInt32>(truncatingIfNeeded: p1),
                      z: hi0 ^ c.w ^ SIMD8(repeating: k1), w: SIMD8<UInt32>(truncatingIfNeeded: p0))
        }
        return c
    }

    /// Uniform numbers in (0, 1) from 32-bit words, lane by lane the same as `RandomStream.uniform()`:
    /// (u + ½)·2⁻³², so `log(u)` is finite.
    @inlinable
    public static func uniform(_ bits: SIMD8<UInt32>) -> (low: SIMD4<Double>, high: SIMD4<Double>) {
        let lo = SIMD4<Double>(SIMD4<UInt32>(bits[0], bits[1], bits[2], bits[3]))
        let hi = SIMD4<Double>(SIMD4<UInt32>(bits[4], bits[5], bits[6], bits[7]))
        let half = SIMD4<Double>(repeating: 0.5), scale = SIMD4<Double>(repeating: 0x1p-32)
        return ((lo + half) * scale, (hi + half) * scale)
    }
}
