import Foundation
import Testing

@testable import Phantom

/// The byte-wise `.egsphant` reader (session 7) against what the text reader before it accepted: numbers
/// with the standard library's exact values, line endings, separators and non-ASCII whitespace.
@Suite struct PhantomTextReadingTests {
    /// Tokens of every shape a density or boundary takes, and shapes the fast path must leave to
    /// `Double(String)` (which then decides: a number or an error, as before).
    @Test func decimalTokensHaveTheStandardLibrarysValues() {
        var tokens = ["0", "-0", "+1", "1.0000", "0.2600", "1.85", "-15.2500", "0.001205", "1e-3", "2.5E+02", "1.",
                      ".5", "1e", "e3", "inf", "nan", "0x1p3", "--1", "1..2", "12345678901234567890", "9007199254740993",
                      "9007199254740992", "0.1e23", "1e22", "1e23", "1e-22", "1e-23", "00000000000000000000001.5",
                      "1.00000000000000000000", "3.4028235e38", "1e1000", "1,5", "١٢"]
        // Random decimal tokens: the property holds for every token, so an unseeded generator is fine.
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...18, using: &random)
            let mantissa = (0..<digits).map { _ in String(Int.random(in: 0...9, using: &random)) }.joined()
            let point = Int.random(in: 0...digits, using: &random)
            var t = String(mantissa.prefix(point)) + (point < digits && point > 0 ? "." : "") + String(mantissa.dropFirst(point))
            if Bool.random(using: &random) { t += "e\(Int.random(in: -30...30, using: &random))" }
            tokens.append(Bool.random(using: &random) ? "-" + t : t)
        }
        for t in tokens {
            let fast = DecimalToken.value(ArraySlice(Array(t.utf8)))
            let standard = Double(t)
            // The fast path may decline (nil); where it answers, it must be the standard library's bits.
            if let fast { #expect(fast.bitPattern == standard?.bitPattern, "\(t): \(fast) vs \(String(describing: standard))") }
        }
    }

    @Test func lineEndingsSeparatorsAndWhitespaceReadAsBefore() throws {
        let plain = try EGSPhantomFile.parse("2\nWATER\nLUNG\n0.25 0.25\n2 1 2\n0 1 2\n0 1\n0 1 2\n12\n\n21\n\n1.0 0.26\n0.5 1e-1\n")
        // CRLF, tabs and commas between numbers, blank lines of spaces, a medium row with a non-breaking
        // space around it (Unicode whitespace: the character-wise fallback trims it), no final newline.
        let variant = try EGSPhantomFile.parse(
            "2\r\n WATER \r\nLUNG\r\n0.25,0.25\r\n2\t1 2\r\n0 1 2\r\n   \r\n0 1\r\n0 1 2\r\n\u{00A0}12\u{00A0}\r\n\r\n21\r\n\r\n1.0, 0.26\r\n0.5\t1e-1")
        #expect(variant == plain)
        #expect(plain.mediumIndices == [0, 1, 1, 0])
        #expect(plain.densitiesGPerCM3 == [1, 0.26, 0.5, 0.1])
        #expect(plain.media == ["WATER", "LUNG"])
    }

    @Test func errorsNameTheLineAsBefore() {
        // The line numbers of the text reader: the bad token on line 11, the bad row on line 9.
        let text = "2\nWATER\nLUNG\n0.25 0.25\n2 1 1\n0 1 2\n0 1\n0 1\n1x\n\n1.0 zz\n"
        #expect { try EGSPhantomFile.parse(text, file: "f") } throws: { "\($0)".contains("line 9: medium character 'x'") }
        let bad = text.replacingOccurrences(of: "1x", with: "12")
        #expect { try EGSPhantomFile.parse(bad, file: "f") } throws: { "\($0)".contains("line 11: 'zz' in the densities") }
    }
}
