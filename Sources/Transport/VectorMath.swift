/// `log`, `exp` and `sincos` for four doubles at once (Swift's standard library has none for SIMD
/// types), for the vectorised driver's free paths (−ln u), attenuation factors and azimuths.
///
/// Classic Cody–Waite range reduction plus polynomials on the reduced interval (Cody & Waite 1980,
/// "Software Manual for the Elementary Functions"; Muller 2016, "Elementary Functions", ch. 11), branch
/// free: every lane follows the same instructions. Accuracy (tested against Foundation's scalar
/// functions): a few ulp, |Δ|/|f| < 4·10⁻¹⁶ over the domains the transport uses (documented per
/// function), far below the 10⁻⁴ interpolation error of the physics tables.
public enum VectorMath {
    @usableFromInline static let ln2Hi = 6.931_471_803_691_238_164_90e-01  // ln 2 rounded to 32 significant bits
    /// 1.5·2⁵²: adding it rounds a double of magnitude < 2⁵¹ to an integer held in the low mantissa bits.
    @usableFromInline static let magic = 0x1.8p52
    @usableFromInline static let magicBits = SIMD4<Int64>(repeating: Int64(bitPattern: 0x1.8p52.bitPattern))
    @usableFromInline static let ln2Lo = 1.908_214_929_270_587_700_02e-10  // ln 2 − ln2Hi

    /// eˣ lane by lane, for x in [−708, 709] (the doubles' normal range); below it the result is 0,
    /// above it +∞.
    @inlinable
    public static func exp(_ x: SIMD4<Double>) -> SIMD4<Double> {
        let clamped = x.clamped(lowerBound: SIMD4(repeating: -708.39), upperBound: SIMD4(repeating: 709.78))
        // x = n ln 2 + r, |r| ≤ ln 2 / 2.
        // Round to nearest by adding and subtracting 1.5·2⁵² (exact for |values| < 2⁵¹); the integer is then
        // in the low bits of the sum, so no float ↔ integer conversion instruction is needed.
        let shifted = clamped * (1 / 0.693_147_180_559_945_309_42) + magic
        let n = shifted - magic
        let r = (clamped - n * ln2Hi) - n * ln2Lo
        // eʳ by its Taylor series to r¹³ (remainder < 0.35¹⁴/14! ≈ 5·10⁻¹⁸), Horner form.
        var p = SIMD4<Double>(repeating: 1.0 / 6_227_020_800)
        p = p * r + 1.0 / 479_001_600
        p = p * r + 1.0 / 39_916_800
        p = p * r + 1.0 / 3_628_800
        p = p * r + 1.0 / 362_880
        p = p * r + 1.0 / 40320
        p = p * r + 1.0 / 5040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // 2ⁿ from its exponent bits; n ∈ [−1022, 1024] after the clamp: split in two factors to stay normal.
        let ni = unsafeBitCast(shifted, to: SIMD4<Int64>.self) &- magicBits
        let half = ni &>> 1
        let scaleA = unsafeBitCast((half &+ 1023) &<< 52, to: SIMD4<Double>.self)
        let scaleB = unsafeBitCast((ni &- half &+ 1023) &<< 52, to: SIMD4<Double>.self)
        var result = p * scaleA * scaleB
        result.replace(with: 0, where: x .< -708.39)
        result.replace(with: .infinity, where: x .> 709.78)
        return result
    }

    /// ln x lane by lane, for positive normal x (uniform random numbers, energies, ratios); 0 and
    /// subnormals give −∞-free garbage and are not used by the transport.
    @inlinable
    public static func log(_ x: SIMD4<Double>) -> SIMD4<Double> {
        let bits = unsafeBitCast(x, to: SIMD4<Int64>.self)
        var e = ((bits &>> 52) & 0x7FF) &- 1023
        // Mantissa m ∈ [1, 2), then moved to [√½, √2) so |s| below is ≤ 0.1716.
        var m = unsafeBitCast((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000, to: SIMD4<Double>.self)
        let big = m .> 1.414_213_562_373_095_048_80
        m.replace(with: m * 0.5, where: big)
        e.replace(with: e &+ 1, where: big)
        // ln m = 2 atanh s = 2(s + s³/3 + s⁵/5 + …), s = (m − 1)/(m + 1); to s²¹ (remainder < 10⁻¹⁷).
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var p = SIMD4<Double>(repeating: 1.0 / 21)
        p = p * s2 + 1.0 / 19
        p = p * s2 + 1.0 / 17
        p = p * s2 + 1.0 / 15
        p = p * s2 + 1.0 / 13
        p = p * s2 + 1.0 / 11
        p = p * s2 + 1.0 / 9
        p = p * s2 + 1.0 / 7
        p = p * s2 + 1.0 / 5
        p = p * s2 + 1.0 / 3
        p = p * s2 + 1
        let lnM = 2 * s * p
        let ed = unsafeBitCast(e &+ magicBits, to: SIMD4<Double>.self) - magic
        return ed * ln2Hi + (lnM + ed * ln2Lo)
    }

    /// sin x and cos x lane by lane, for |x| ≤ 10⁵ (azimuths and polar angles are within [0, 4π]).
    @inlinable
    public static func sincos(_ x: SIMD4<Double>) -> (sin: SIMD4<Double>, cos: SIMD4<Double>) {
        // x = q π/2 + r, |r| ≤ π/4, with π/2 in three parts (Cody–Waite), exact products q·p₁, q·p₂ for |q| < 2²³.
        let qShifted = x * 0.636_619_772_367_581_343_08 + magic
        let q = qShifted - magic
        let p1 = 1.570_796_325_802_803  // π/2 truncated to 30 bits
        let p2 = 9.920_935_791_635_221e-10  // the next 30 bits
        let p3 = 5.170_182_981_794_105e-19  // the rest
        let r = ((x - q * p1) - q * p2) - q * p3
        let r2 = r * r
        // Taylor series: sin to r¹⁹, cos to r²⁰ (remainders < 0.79²¹/21! ≈ 10⁻²⁰).
        var s = SIMD4<Double>(repeating: -1.0 / 121_645_100_408_832_000)
        s = s * r2 + 1.0 / 355_687_428_096_000
        s = s * r2 - 1.0 / 1_307_674_368_000
        s = s * r2 + 1.0 / 6_227_020_800
        s = s * r2 - 1.0 / 39_916_800
        s = s * r2 + 1.0 / 362_880
        s = s * r2 - 1.0 / 5040
        s = s * r2 + 1.0 / 120
        s = s * r2 - 1.0 / 6
        s = s * r2 + 1
        let sinR = s * r
        var c = SIMD4<Double>(repeating: 1.0 / 2_432_902_008_176_640_000)
        c = c * r2 - 1.0 / 6_402_373_705_728_000
        c = c * r2 + 1.0 / 20_922_789_888_000
        c = c * r2 - 1.0 / 87_178_291_200
        c = c * r2 + 1.0 / 479_001_600
        c = c * r2 - 1.0 / 3_628_800
        c = c * r2 + 1.0 / 40320
        c = c * r2 - 1.0 / 720
        c = c * r2 + 1.0 / 24
        c = c * r2 - 0.5
        c = c * r2 + 1
        // Quadrant q mod 4: (sin, cos) = (s, c), (c, −s), (−s, −c), (−c, s).
        let quadrant = (unsafeBitCast(qShifted, to: SIMD4<Int64>.self) &- magicBits) & 3
        let odd = (quadrant & 1) .== 1
        var sinX = sinR, cosX = c
        sinX.replace(with: c, where: odd)
        cosX.replace(with: sinR, where: odd)
        sinX.replace(with: -sinX, where: quadrant .>= 2)
        cosX.replace(with: -cosX, where: (quadrant .== 1) .| (quadrant .== 2))
        return (sinX, cosX)
    }
}
