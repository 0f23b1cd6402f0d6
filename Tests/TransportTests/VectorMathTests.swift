import Foundation
import Testing
import Transport

/// The SIMD elementary functions against Foundation's (glibc's, correctly rounded to < 1 ulp) scalar
/// ones, over the domains the transport uses. Bound: 10⁻¹⁵ relative (≈ 4.5 ulp; the measured worst case is
/// 2 ulp), or absolute near zeros of ln, sin and cos (where relative error is meaningless), far below
/// the physics tables' 10⁻⁴.
@Suite struct VectorMathTests {
    static func samples(_ lo: Double, _ hi: Double, count: Int = 4000) -> [Double] {
        var s: UInt64 = 12345
        return (0..<count).map { _ in
            s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407  // Knuth's MMIX LCG
            return lo + (hi - lo) * (Double(s >> 11) * 0x1p-53)
        }
    }

    static func check(_ xs: [Double], _ f: (SIMD4<Double>) -> SIMD4<Double>, _ reference: (Double) -> Double,
                      absolute: Bool = false) -> Double {
        var worst = 0.0
        for i in stride(from: 0, to: xs.count, by: 4) {
            let v = f(SIMD4((0..<4).map { xs[min(i + $0, xs.count - 1)] }))
            for l in 0..<min(4, xs.count - i) {
                let r = reference(xs[i + l])
                let err = absolute ? abs(v[l] - r) : abs(v[l] - r) / abs(r)
                worst = max(worst, err)
            }
        }
        return worst
    }

    @Test func logOfUniformsAndEnergies() {
        // Uniforms (0, 1) down to the smallest the streams make (2⁻³³), energies 1 keV–25 MeV, ratios.
        for (lo, hi) in [(0x1p-33, 1.0), (1e-3, 25.0), (0.5, 2.0), (1e-30, 1e30)] {
            let xs = Self.samples(lo, hi)
            // Relative error, away from x = 1 where ln x crosses 0 (checked absolutely).
            let far = xs.filter { abs($0 - 1) > 1e-3 }
            let worst = Self.check(far, VectorMath.log) { Foundation.log($0) }
            #expect(worst < 1e-15, "log on [\(lo), \(hi)]: relative error \(worst)")
            #expect(Self.check(xs, VectorMath.log, { Foundation.log($0) }, absolute: true) < 1e-15 * max(1, Foundation.log(lo).magnitude, Foundation.log(hi).magnitude))
        }
        // Every binade of the normal range (powers of two and their neighbours).
        let binades = stride(from: -1020, through: 1020, by: 3).flatMap { k in [0x1p0, 1.3, 1.9].map { $0 * pow(2.0, Double(k)) } }
        #expect(Self.check(binades, VectorMath.log) { Foundation.log($0) } < 1e-15)
        #expect(VectorMath.log(SIMD4(1, 2, 0.5, .ulpOfOne)) == SIMD4(0, Foundation.log(2.0), -Foundation.log(2.0), Foundation.log(Double.ulpOfOne)))
    }

    @Test func expOverItsRange() {
        for (lo, hi) in [(-40.0, 0.0), (-700.0, 700.0), (-1.0, 1.0)] {
            #expect(Self.check(Self.samples(lo, hi), VectorMath.exp) { Foundation.exp($0) } < 4e-16, "exp on [\(lo), \(hi)]")
        }
        let edge = VectorMath.exp(SIMD4(0, -800, 800, 1))
        #expect(edge[0] == 1 && edge[1] == 0 && edge[2] == .infinity && abs(edge[3] - M_E) <= M_E.ulp)
    }

    /// The event driver's hinge azimuths φ = 2πu: within 2 ulp of glibc's sin and cos over [0, 2π), at the
    /// zeros too (the three-part π/2 keeps the reduced argument's absolute error below an ulp of it; a
    /// 4 M-sample run of this check measured 2.0 ulp and 1.1·10⁻¹⁶ absolute at most).
    @Test func sinCosOfAzimuthsWithinTwoUlp() {
        let xs = Self.samples(0, 2 * Double.pi, count: 40000) + [0, Double.pi / 2, Double.pi, 1.5 * Double.pi, (2 * Double.pi).nextDown]
        for i in stride(from: 0, to: xs.count, by: 4) {
            let x = SIMD4((0..<4).map { xs[min(i + $0, xs.count - 1)] })
            let (s, c) = VectorMath.sincos(x)
            for l in 0..<4 {
                let (rs, rc) = (Foundation.sin(x[l]), Foundation.cos(x[l]))
                #expect(abs(s[l] - rs) <= 2 * rs.magnitude.ulp, "sin \(x[l]): \(s[l]) vs \(rs)")
                #expect(abs(c[l] - rc) <= 2 * rc.magnitude.ulp, "cos \(x[l]): \(c[l]) vs \(rc)")
            }
        }
    }

    @Test func sinCosOfAngles() {
        for (lo, hi) in [(0.0, 2 * Double.pi), (-4 * Double.pi, 4 * Double.pi), (-1e4, 1e4)] {
            let xs = Self.samples(lo, hi)
            // Absolute error: |sin|, |cos| ≤ 1, and the argument reduction error scales with |x|·ulp(π).
            let bound = 4e-16 * max(1, hi.magnitude / 8)
            #expect(Self.check(xs, { VectorMath.sincos($0).sin }, { Foundation.sin($0) }, absolute: true) < bound)
            #expect(Self.check(xs, { VectorMath.sincos($0).cos }, { Foundation.cos($0) }, absolute: true) < bound)
        }
    }
}
