import Foundation

/// The value of a plain decimal token (`[+-]digits[.digits][(e|E)[+-]digits]`) when it can be had exactly
/// without `strtod`: at most 19 significant digits forming an integer below 2⁵³ and a power of ten within
/// 10^±22, so that one product or quotient of two exact Doubles is the correctly rounded value (Clinger
/// 1990, "How to read floating point numbers accurately", PLDI '90, the fast path). Anything else is nil,
/// for `Double(String)` to read: the result is always the standard library's.
enum DecimalToken {
    static let exactPowers: [Double] = (0...22).map { pow(10, Double($0)) }

    static func value(_ token: ArraySlice<UInt8>) -> Double? {
        var i = token.startIndex
        let end = token.endIndex
        var negative = false
        if i < end && (token[i] == UInt8(ascii: "+") || token[i] == UInt8(ascii: "-")) {
            negative = token[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0, digits = 0, exponent = 0
        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
        let integerStart = i
        while i < end && isDigit(token[i]) {
            guard digits < 19 else { return nil }
            mantissa = mantissa * 10 + UInt64(token[i] - UInt8(ascii: "0"))
            if mantissa != 0 { digits += 1 }
            i += 1
        }
        guard i > integerStart else { return nil }  // ".5", "e3", "inf", "nan": the standard library's
        if i < end && token[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < end && isDigit(token[i]) {
                guard digits < 19 else { return nil }
                mantissa = mantissa * 10 + UInt64(token[i] - UInt8(ascii: "0"))
                if mantissa != 0 { digits += 1 }
                exponent -= 1
                i += 1
            }
            guard i > fractionStart else { return nil }  // "1.": the standard library's
        }
        if i < end && (token[i] == UInt8(ascii: "e") || token[i] == UInt8(ascii: "E")) {
            i += 1
            var exponentNegative = false
            if i < end && (token[i] == UInt8(ascii: "+") || token[i] == UInt8(ascii: "-")) {
                exponentNegative = token[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            var e = 0
            while i < end && isDigit(token[i]) {
                guard e < 1000 else { return nil }
                e = e * 10 + Int(token[i] - UInt8(ascii: "0"))
                i += 1
            }
            guard i > exponentStart else { return nil }
            exponent += exponentNegative ? -e : e
        }
        guard i == end, mantissa < 1 << 53, abs(exponent) <= 22 else { return nil }
        let magnitude = exponent >= 0 ? Double(mantissa) * exactPowers[exponent] : Double(mantissa) / exactPowers[-exponent]
        return negative ? -magnitude : magnitude
    }
}
