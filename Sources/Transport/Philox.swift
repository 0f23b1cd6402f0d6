/// The Philox4x32-10 counter-based block function.
///
/// Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11
/// (doi:10.1145/2063384.2063405), §4.2 and Table 2: a 4×32-bit counter and a 2×32-bit key; each of the
/// ten rounds multiplies two counter words by M0 = 0xD2511F53 and M1 = 0xCD9E8D57 (32×32 → 64 bits),
/// xors the high halves with the other two words and the key, and permutes; the key is bumped by the
/// Weyl constants W0 = 0x9E3779B9 (golden ratio) and W1 = 0xBB67AE85 (√3 − 1) between rounds.
public enum Philox4x32 {
    static let m0: UInt32 = 0xD251_1F53
    static let m1: UInt32 = 0xCD9E_8D57
    static let w0: UInt32 = 0x9E37_79B9
    static let w1: UInt32 = 0xBB67_AE85

    /// Encrypts `counter` under `key` with 10 rounds.
    ///
    /// The four words live in scalar registers: a `SIMD4` state was packed and unpacked through vector
    /// registers every round, and this block was 4 % of a run's CPU time (docs/performance.md, profile 5).
    /// Same rounds, same bits (the known-answer tests).
    public static func block(_ counter: SIMD4<UInt32>, key: SIMD2<UInt32>) -> SIMD4<UInt32> {
        var (x, y, z, w) = (counter.x, counter.y, counter.z, counter.w)
        var k0 = key.x, k1 = key.y
        @inline(__always)
        func round() {
            let p0 = UInt64(m0) &* UInt64(x)
            let p1 = UInt64(m1) &* UInt64(z)
            (x, y, z, w) = (UInt32(truncatingIfNeeded: p1 >> 32) ^ y ^ k0, UInt32(truncatingIfNeeded: p1),
                            UInt32(truncatingIfNeeded: p0 >> 32) ^ w ^ k1, UInt32(truncatingIfNeeded: p0))
        }
        round()
        for _ in 1..<10 {
            k0 &+= w0
            k1 &+= w1
            round()
        }
        return SIMD4(x, y, z, w)
    }
}
