import Foundation

/// C's `%.Ne` text of a finite Double (`d.ddd…e±XX`, N + 1 significant digits correctly rounded), written
/// byte for byte as glibc's `printf` writes it, without `printf`.
///
/// The `.3ddose` writer prints two numbers per voxel (446 520 for the water phantom): through `vsnprintf`
/// with Swift's `CVarArg` boxing that was ≈ 6 % of a 300 000-history run (docs/performance.md, profile 8).
/// Here the number is scaled to an integer of N + 1 digits by one or two products with exact powers of ten
/// (at most two roundings, relative error < 2.3·10⁻¹⁶) and rounded; when the scaled value lies within 10⁻⁵
/// of a rounding boundary, or the exponent is outside what two exact powers reach, the digits come from
/// `vsnprintf` itself, so the text is always the C library's (`ExponentialTextTests`). The decimal exponent
/// comes from the binary one through a table (`decimalExponents`), the floor from an integer conversion:
/// glibc's `log10` and `floor` were most of the function's time (docs/performance.md, session 9).
public enum ExponentialText {
    /// Exact powers of ten: 10⁰ … 10²² are Doubles without rounding.
    static let exactPowers: [Double] = (0...22).map { pow(10, Double($0)) }

    /// The decimal exponent of the positive Doubles of one binary exponent.
    struct DecimalExponent {
        /// ⌊e·log₁₀2⌋ for the binary exponent e: ⌊log₁₀ x⌋ of every x in [2^e, 2^(e+1)) is this or one more.
        let below: Int
        /// 10^(below + 1) (rounded where it is not a Double): x ≥ it means one more.
        let threshold: Double
    }

    /// Per biased binary exponent (the top bits of a positive Double, 0…2046). Where the rounded threshold
    /// misjudges a value next to a power of ten, `roundedDigits` moves the exponent by one, as it did after
    /// `log10`.
    static let decimalExponents: [DecimalExponent] = (0..<2047).map { biased in
        let below = Int((Double(max(biased, 1) - 1023) * log10(2.0)).rounded(.down))
        return DecimalExponent(below: below, threshold: pow(10, Double(below + 1)))
    }

    /// "00", "01", …, "99": two digits per table read.
    static let digitPairs: [UInt8] = (0..<100).flatMap { [UInt8(ascii: "0") + UInt8($0 / 10), UInt8(ascii: "0") + UInt8($0 % 10)] }

    /// Appends `value` printed as `%.<fractionDigits>e` to `out`.
    /// - Precondition: `value` is finite and `fractionDigits` is 1…15.
    public static func append(_ value: Double, fractionDigits: Int, to out: inout [UInt8]) {
        precondition(value.isFinite && (1...15).contains(fractionDigits), "exponential text needs a finite value")
        let magnitude = abs(value)
        let digits: UInt64, exponent: Int
        if magnitude == 0 {
            (digits, exponent) = (0, 0)
        } else if let rounded = roundedDigits(magnitude, fractionDigits: fractionDigits) {
            (digits, exponent) = rounded
        } else {
            appendFromCLibrary(value, fractionDigits: fractionDigits, to: &out)
            return
        }
        // At most a sign, 16 digits, the point, "e", the exponent's sign and three digits: 22 bytes.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            let text = buffer.baseAddress!
            var n = 0
            if value.sign == .minus {
                text[0] = UInt8(ascii: "-")
                n = 1
            }
            // `digits` has exactly fractionDigits + 1 decimal digits: the first, the point, the rest.
            var rest = digits
            var i = n + fractionDigits + 1
            digitPairs.withUnsafeBufferPointer { pairs in
                while i > n + 2 {
                    let pair = Int(rest % 100) &* 2
                    rest /= 100
                    text[i] = pairs[pair + 1]
                    text[i - 1] = pairs[pair]
                    i -= 2
                }
            }
            if i == n + 2 {
                text[i] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            text[n] = UInt8(ascii: "0") + UInt8(rest)
            text[n + 1] = UInt8(ascii: ".")
            n += fractionDigits + 2
            text[n] = UInt8(ascii: "e")
            text[n + 1] = exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
            n += 2
            let e = abs(exponent)
            if e >= 100 {
                text[n] = UInt8(ascii: "0") + UInt8(e / 100)
                n += 1
            }
            text[n] = UInt8(ascii: "0") + UInt8(e / 10 % 10)
            text[n + 1] = UInt8(ascii: "0") + UInt8(e % 10)
            out.append(contentsOf: UnsafeBufferPointer(start: text, count: n + 2))
        }
    }

    /// ⌊log₁₀ x⌋ of a positive finite x, exact where the table's threshold is (10⁰ … 10²²), else possibly
    /// one off next to a power of ten.
    @inline(__always)
    static func decimalExponent(_ x: Double) -> Int {
        let d = decimalExponents[Int(truncatingIfNeeded: x.bitPattern >> 52)]
        return x >= d.threshold ? d.below + 1 : d.below
    }

    /// The significand as an integer of fractionDigits + 1 digits and the decimal exponent of a positive
    /// finite value, or nil where the fast scaling cannot decide the rounding.
    static func roundedDigits(_ x: Double, fractionDigits: Int) -> (UInt64, Int)? {
        // The scaled value's error, < 2.3·10⁻¹⁶ × 10^(fractionDigits + 1), must stay below the 10⁻⁵ margin:
        // up to 9 fraction digits (the `.3ddose` file's 9 and 6). More are the C library's (session 9's test
        // of every digit count found 16-digit values one off).
        guard fractionDigits <= 9 else { return nil }
        var exponent = decimalExponent(x)
        let low = exactPowers[fractionDigits], high = exactPowers[fractionDigits + 1]
        for _ in 0..<2 {
            guard let scaled = scaled(x, byPowerOfTen: fractionDigits - exponent) else { return nil }
            // The exponent can be one off next to a power of ten: move it until the integer part has
            // exactly fractionDigits + 1 digits.
            if scaled >= high {
                exponent += 1
                continue
            }
            if scaled < low {
                exponent -= 1
                continue
            }
            // 1 ≤ scaled < 10¹⁶: the conversion truncates, which is the floor (no call to `floor`).
            let whole = UInt64(scaled)
            let fraction = scaled - Double(whole)
            // Within 10⁻⁵ of a boundary the scaled value's error (< 2.3·10⁻¹⁶ × 10¹⁶) might cross it.
            guard abs(fraction - 0.5) > 1e-5 else { return nil }
            var digits = whole + (fraction > 0.5 ? 1 : 0)
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
