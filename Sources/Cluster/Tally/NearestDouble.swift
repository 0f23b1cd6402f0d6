extension UInt128 {
    /// The nearest Double (ties to even) — what `Double(self)` gives — without the standard library's
    /// generic conversion: the stop figure converts every voxel's Σe² each round, and on a 128 × 128 × 96 grid
    /// the generic conversion alone took 0.79 s where the whole figure now takes 0.028 s (`cluster-benchmark
    /// stopfigure`, benchmarks/RESULTS.md).
    ///
    /// Above 2⁶⁴ the top 64 bits are converted with every bit shifted out folded into the last one (a
    /// sticky bit): the 11 bits the conversion drops then round exactly as the whole number's would, and the
    /// scaling by 2^shift is exact.
    @inlinable
    public var nearestDouble: Double {
        let high = UInt64(truncatingIfNeeded: self >> 64)
        if high == 0 { return Double(UInt64(truncatingIfNeeded: self)) }
        let shift = 64 - high.leadingZeroBitCount
        let kept = UInt64(truncatingIfNeeded: self >> shift)
        let sticky: UInt64 = self & ((1 << shift) - 1) == 0 ? 0 : 1
        return Double(kept | sticky) * Double(sign: .plus, exponent: shift, significand: 1)
    }
}
