import Foundation

/// C's `%.Ne` text of a finite Double (`d.ddd…e±XX`, N + 1 significant digits correctly rounded), written
/// byte for byte as glibc's `printf` writes it, without `printf`.
///
/// The `.3ddose` writer prints two numbers per voxel (446 520 for the water phantom): through `vsnprintf`
/// with Swift's `CVarArg` boxing that was ≈ 6 % of a 300 000-history run (docs/performance.md, profile 8).
/// Here the number is scaled to an integer of N + 1 digits by one or two products with exact powers of ten
/// (at most two roundings, relative error < 2.3·10⁻¹⁶) and rounded; when the scaled value lies within 10⁻⁵
/// of a rounding boundary, or the exponent is outside what two exact powers reach, the digits come from
/// `vsnprintf` itself, so the text is always the C library's (`ExponentialTextTests`).
public enum ExponentialText {
    /// Exact powers of ten: 10⁰ … 10²² are Doubles without rounding.
    static let exactPowers: [Double] = (0...22).map { pow(10, Double($0)) }

    /// Appends `value` printed as `%.<fractionDigits>e` to `out`.
    /// - Precondition: `value` is finite and `fractionDigits` is 1…15.
    public static func append(_ value: Double, fractionDigits: Int, to out: inout [UInt8]) {
        precondition(value.isFinite && (1...15).contains(fractionDigits), "exponential text needs a finite value")
        let magnitude = abs(value)
        guard magnitude != 0 else {
            if value.sign == .minus { out.append(UInt8(ascii: "-")) }
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: fractionDigits))
            out.append(contentsOf: "e+00".utf8)  // not Array(…): one heap allocation per zero voxel
            return
        }
        guard let (digits, exponent) = roundedDigits(magnitude, fractionDigits: fractionDigits) else {
            appendFromCLibrary(value, fractionDigits: fractionDigits, to: &out)
            return
        }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        // `digits` has exactly fractionDigits + 1 decimal digits: the first, the point, the rest.
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: fractionDigits + 2))
        var rest = digits
        for i in stride(from: start + fractionDigits + 1, to: start + 1, by: -1) {
            out[i] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        out[start] = UInt8(ascii: "0") + UInt8(rest)
        out[start + 1] = UInt8(ascii: ".")
        out.append(UInt8(ascii: "e"))
        out.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let e = abs(exponent)
        if e >= 100 { out.append(UInt8(ascii: "0") + UInt8(e / 100)) }
        out.append(UInt8(ascii: "0") + UInt8(e / 10 % 10))
        out.append(UInt8(ascii: "0") + UInt8(e % 10))
    }

    /// The significand as an integer of fractionDigits + 1 digits and the decimal exponent of a positive
    /// finite value, or nil where the fast scaling cannot decide the rounding.
    static func roundedDigits(_ x: Double, fractionDigits: Int) -> (UInt64, Int)? {
        var exponent = Int(log10(x).rounded(.down))
        let low = exactPowers[fractionDigits], high = exactPowers[fractionDigits + 1]
        for _ in 0..<2 {
            guard let scaled = scaled(x, byPowerOfTen: fractionDigits - exponent) else { return nil }
            // log10 can be one off next to a power of ten: move the exponent until the integer part has
            // exactly fractionDigits + 1 digits.
            if scaled >= high {
                exponent += 1
                continue
            }
            if scaled < low {
                exponent -= 1
                continue
            }
            let floor = scaled.rounded(.down)
            // Within 10⁻⁵ of a boundary the scaled value's error (< 2.3·10⁻¹⁶ × 10¹⁶) might cross it.
            guard abs(scaled - floor - 0.5) > 1e-5 else { return nil }
            var digits = UInt64(floor) + (scaled - floor > 0.5 ? 1 : 0)
            if Double(digits) >= high {
                digits /= 10
                exponent += 1
            }
            return (digits, exponent)
        }
        return nil
    }

    /// x × 10^k with at most two roundings, or nil where |k| needs more than two exact powers (or one to
    /// divide by).
    static func scaled(_ x: Double, byPowerOfTen k: Int) -> Double? {
        if k >= 0 {
            guard k <= 44 else { return nil }
            return k <= 22 ? x * exactPowers[k] : x * exactPowers[22] * exactPowers[k - 22]
        }
        guard -k <= 22 else { return nil }
        return x / exactPowers[-k]
    }

    /// The C library's text, for the values the fast path leaves to it.
    static func appendFromCLibrary(_ value: Double, fractionDigits: Int, to out: inout [UInt8]) {
        let capacity = 32
        var buffer = [CChar](repeating: 0, count: capacity)
        let written = withVaList([value]) { vsnprintf(&buffer, capacity, "%.\(fractionDigits)e", $0) }
        precondition(written > 0 && Int(written) < capacity, "an exponential number did not fit its buffer")
        out.append(contentsOf: buffer[0..<Int(written)].map { UInt8(bitPattern: $0) })
    }
}
