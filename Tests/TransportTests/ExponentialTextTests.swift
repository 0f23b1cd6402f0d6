import Foundation
import Geometry
import TestSupport
import Testing
import Transport

/// `ExponentialText` and the `.3ddose` writer against the C library's `printf`, byte for byte: the writer
/// replaced `vsnprintf` for speed, and every `.3ddose` reader (and `cmp` against older runs) depends on the
/// same text.
@Suite struct ExponentialTextTests {
    /// What `vsnprintf` prints for `value` with `format`.
    static func printf(_ value: Double, _ format: String) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = withVaList([value]) { vsnprintf(&buffer, 64, format, $0) }
        return String(decoding: buffer[0..<Int(n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func text(_ value: Double, _ fractionDigits: Int) -> String {
        var out: [UInt8] = []
        ExponentialText.append(value, fractionDigits: fractionDigits, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Zeros of both signs, the smallest denormal and normal, the largest finite value, powers of ten and
    /// their neighbours (where log10 is one off), exact decimal ties of the printed digit count (which C
    /// rounds to even on the exact binary value), carries into the next power (9.9999999995…), and the
    /// magnitudes of real doses (10⁻¹⁷ Gy per history) and uncertainties.
    static let edgeValues: [Double] = {
        var values: [Double] = [0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude,
                                .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e-30, -1e-30, 1e-300, 1e300,
                                0.5, 1.5, 2.5, 0.125, 1.0000000005, 9.9999999995, 9.99999999949999, 9.9999995,
                                9.999999949999, 1.2345678905e-17, 3.7e-17, 0.015625, 123456789012345678, 1, 10, 0.1]
        for k in -40...40 {
            let p = pow(10, Double(k))
            values += [p, p.nextUp, p.nextDown, -p, 5 * p, 0.5 * p]
        }
        return values
    }()

    @Test func edgeValuesPrintAsPrintfPrintsThem() {
        for value in Self.edgeValues {
            for (digits, format) in [(9, "%.9e"), (6, "%.6e")] {
                let ours = Self.text(value, digits), theirs = Self.printf(value, format)
                #expect(ours == theirs, "\(value.bitPattern): \(ours) vs \(theirs)")
            }
        }
    }

    @Test func randomValuesPrintAsPrintfPrintsThem() {
        var random = SystemRandomNumberGenerator()
        var mismatches: [String] = []
        for i in 0..<100_000 {
            // Three kinds: any finite bit pattern (denormals included), dose-like magnitudes, and values
            // with 10 or 7 decimal digits and a trailing 5 (near-ties after the binary rounding).
            let value: Double
            switch i % 3 {
            case 0:
                var bits = random.next() as UInt64
                while Double(bitPattern: bits).isNaN || Double(bitPattern: bits).isInfinite { bits = random.next() }
                value = Double(bitPattern: bits)
            case 1: value = Double.random(in: 1e-18...1e-12, using: &random) * (i % 2 == 0 ? 1 : 3.3)
            default:
                let digits = Double(Int.random(in: 100_000_000...999_999_999, using: &random)) * 10 + 5
                value = digits * pow(10, Double(Int.random(in: -30...10, using: &random)))
            }
            for (d, format) in [(9, "%.9e"), (6, "%.6e")] where Self.text(value, d) != Self.printf(value, format) {
                mismatches.append("\(value.bitPattern) \(format)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    /// The decimal exponent comes from the binary one through a table (session 9, was `log10`): every
    /// binary exponent of a positive normal Double, at its first value, its last, a random one between and
    /// both signs, in both formats, against `printf`. Also every fraction-digit count 1…15 on dose-like and
    /// random values (the table does not depend on it).
    @Test func everyBinaryExponentPrintsAsPrintfPrintsIt() {
        var random = SystemRandomNumberGenerator()
        var mismatches: [String] = []
        for biased in UInt64(1)...2046 {
            let first = Double(bitPattern: biased << 52)
            let last = Double(bitPattern: (biased << 52) | 0xF_FFFF_FFFF_FFFF)
            let between = Double(bitPattern: (biased << 52) | ((random.next() as UInt64) & 0xF_FFFF_FFFF_FFFF))
            for value in [first, last, between, -between] {
                for (d, format) in [(9, "%.9e"), (6, "%.6e")] where Self.text(value, d) != Self.printf(value, format) {
                    mismatches.append("\(value.bitPattern) \(format)")
                }
            }
        }
        for digits in 1...15 {
            for i in 0..<400 {
                let value = i % 2 == 0 ? Double.random(in: 1e-18...1e-12, using: &random)
                    : Double(bitPattern: (random.next() as UInt64) & 0x7FEF_FFFF_FFFF_FFFF)
                if Self.text(value, digits) != Self.printf(value, "%.\(digits)e") { mismatches.append("\(value.bitPattern) %.\(digits)e") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func doseFileIsThePrintfText() throws {
        // The writer's whole text against the text `vsnprintf` gives line by line (the writer before
        // session 7), on a grid whose doses and uncertainties are the edge values.
        let values = Self.edgeValues
        let n = 4 * 3 * ((values.count + 11) / 12)
        let grid = VoxelGrid(counts: (4, 3, n / 12), originCM: Vec3(-1.25, -0.75, 0.1), spacingCM: Vec3(0.5, 0.5, 0.3))
        let dose = (0..<n).map { values[$0 % values.count] }
        let uncertainty = (0..<n).map { values[(n - 1 - $0) % values.count] }
        let d = DoseDistribution(grid: grid, doseGyPerHistory: dose, relativeUncertainty: uncertainty, quantity: .medium)
        func lines(_ xs: [Double], _ format: String) -> String {
            stride(from: 0, to: xs.count, by: 6).map { start in
                xs[start..<min(start + 6, xs.count)].map { Self.printf($0, format) }.joined(separator: " ") + "\n"
            }.joined()
        }
        let expected = "  4  3  \(n / 12)\n" + lines(grid.xBoundariesCM, "%.6f") + lines(grid.yBoundariesCM, "%.6f")
            + lines(grid.zBoundariesCM, "%.6f") + lines(dose, "%.9e") + lines(uncertainty, "%.6e")
        #expect(try ThreeDDoseFile.format(d) == expected)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteDoseIsRefusedAndNothingWritten(_ bad: Double) throws {
        let grid = VoxelGrid(counts: (2, 1, 1), originCM: Vec3(0, 0, 0), spacingCM: Vec3(1, 1, 1))
        let d = DoseDistribution(grid: grid, doseGyPerHistory: [1e-17, bad], relativeUncertainty: [0.1, 0.2], quantity: .medium)
        let dir = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("dose.3ddose")
        #expect {
            try ThreeDDoseFile.write(d, to: url)
        } throws: { error in
            guard case DoseFileError.notFinite(let section, let voxel, _) = error else { return false }
            return section == "doses" && voxel == 1 && "\(error)".contains("voxel 1 of the doses")
        }
        #expect(!FileManager.default.fileExists(atPath: url.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }
}
