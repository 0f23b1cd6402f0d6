/// A graphic character set that Specific Character Set with code extensions designates to G0 or G1
/// (PS3.3 C.12.1.1.2, Tables C.12-3 and C.12-4).
public enum GraphicCharacterSet: Sendable, Equatable {
    /// ISO-IR 6 (ASCII), G0.
    case ascii
    /// ISO-IR 14, JIS X 0201 Romaji, G0; read as ASCII (below).
    case jisX0201Romaji
    /// ISO-IR 13, JIS X 0201 Katakana, G1 (bytes 0xA1–0xDF).
    case jisX0201Katakana
    /// ISO-IR 100, Latin-1, G1.
    case latin1
    /// Another 96-character single-byte set, G1.
    case singleByte(SingleByteCharacterSet)
    /// ISO-IR 87, JIS X 0208 (Kanji), G0, two bytes 0x21–0x7E.
    case jisX0208
    /// ISO-IR 159, JIS X 0212 (supplementary Kanji), G0, two bytes 0x21–0x7E.
    case jisX0212
    /// ISO-IR 149, KS X 1001 (Hangul and Hanja), G1, two bytes 0xA1–0xFE.
    case ksX1001
    /// ISO-IR 58, GB 2312 (simplified Chinese), G1, two bytes 0xA1–0xFE.
    case gb2312

    /// Whether ISO 2022 designates this set to G0 (else G1).
    var isG0: Bool { [.ascii, .jisX0201Romaji, .jisX0208, .jisX0212].contains(self) }

    /// The bytes after ESC that designate this set (PS3.3 Tables C.12-3 and C.12-4), e.g. `$ ) C` for KS X 1001.
    var escapeSequence: [UInt8] {
        switch self {
        case .ascii: [0x28, 0x42]  // ESC ( B
        case .jisX0201Romaji: [0x28, 0x4A]  // ESC ( J
        case .jisX0201Katakana: [0x29, 0x49]  // ESC ) I
        case .latin1: [0x2D, 0x41]  // ESC - A
        case .singleByte(let set): [0x2D, set.designationFinalByte]
        case .jisX0208: [0x24, 0x42]  // ESC $ B
        case .jisX0212: [0x24, 0x28, 0x44]  // ESC $ ( D
        case .ksX1001: [0x24, 0x29, 0x43]  // ESC $ ) C
        case .gb2312: [0x24, 0x29, 0x41]  // ESC $ ) A
        }
    }

    static let all: [GraphicCharacterSet] =
        [.ascii, .jisX0201Romaji, .jisX0201Katakana, .latin1, .jisX0208, .jisX0212, .ksX1001, .gb2312]
        + SingleByteCharacterSet.allCases.map { .singleByte($0) }

    /// The sets a defined term names: `ISO 2022 IR 13` names both halves of JIS X 0201. Also accepts the
    /// `ISO_IR` form of the single-byte terms, which some writers put in value 1 beside code extensions.
    static func named(_ term: String) -> [GraphicCharacterSet]? {
        switch term {
        case "", "ISO 2022 IR 6", "ISO_IR 6": return [.ascii]
        case "ISO 2022 IR 13", "ISO_IR 13": return [.jisX0201Romaji, .jisX0201Katakana]
        case "ISO 2022 IR 100", "ISO_IR 100": return [.latin1]
        case "ISO 2022 IR 87": return [.jisX0208]
        case "ISO 2022 IR 159": return [.jisX0212]
        case "ISO 2022 IR 149": return [.ksX1001]
        case "ISO 2022 IR 58": return [.gb2312]
        default: return SingleByteCharacterSet(term: term).map { [.singleByte($0)] }
        }
    }
}

/// Specific Character Set with code extensions (PS3.5 §6.1.2.5): values 2… name the sets ISO 2022 escape
/// sequences may designate, value 1 (or ASCII when empty) is what each value starts in.
///
/// The decoder follows the escape sequences inside each value: G0 holds ASCII, JIS X 0201 Romaji, JIS X 0208
/// or JIS X 0212 (bytes 0x21–0x7E, two per character for the Kanji sets), G1 a single-byte set, JIS X 0201
/// Katakana, KS X 1001 or GB 2312 (bytes 0xA0–0xFF, two per character for the latter two). As PS3.5
/// §6.1.2.5.3 requires writers to return to value 1's sets before every control character other than ESC
/// and before the delimiters — `\` between values, and in PN `^` between components and `=` between
/// component groups — the decoder returns to them there too. A delimiter byte inside a two-byte character
/// is part of the character. JIS X 0201 Romaji is read as ASCII: its differences (Yen sign at 0x5C,
/// overline at 0x7E) fall on DICOM's value delimiter, which stays a delimiter; pydicom does the same.
public struct CodeExtensionCharacterSet: Sendable, Equatable {
    /// The defined terms as written, e.g. `["", "ISO 2022 IR 87"]`.
    public let terms: [String]
    let initialG0: GraphicCharacterSet
    let initialG1: GraphicCharacterSet?

    /// The code extensions named by Specific Character Set's values, or nil when a term is not one of
    /// PS3.3 Tables C.12-3 and C.12-4.
    init?(terms: [String]) {
        guard terms.allSatisfy({ GraphicCharacterSet.named($0) != nil }) else { return nil }
        self.terms = terms
        var g0 = GraphicCharacterSet.ascii
        var g1: GraphicCharacterSet?
        // Value 1 sets the initial state. A two-byte G0 set there would leave no ASCII for the delimiters,
        // so only G1 may start multi-byte (Korean writers that leave out the escape rely on it).
        for set in GraphicCharacterSet.named(terms.first ?? "") ?? [] where set != .jisX0208 && set != .jisX0212 {
            if set.isG0 { g0 = set } else { g1 = set }
        }
        initialG0 = g0
        initialG1 = g1
    }

    /// Whether one of the sets needs the multi-byte tables.
    var needsMultiByteTables: Bool {
        terms.contains { ["ISO 2022 IR 87", "ISO 2022 IR 159", "ISO 2022 IR 149", "ISO 2022 IR 58"].contains($0) }
    }

    /// Decodes a value; `delimiters` are the bytes that return to value 1's sets when read as single-byte
    /// characters. Undecodable bytes (an unknown escape sequence, an undefined or truncated character, a
    /// high byte with no G1 set) become U+FFFD and make `isExact` false.
    func decode(_ bytes: [UInt8], delimiters: [UInt8], tables: MultiByteCharacterSetTables?) -> (
        text: String, isExact: Bool
    ) {
        var g0 = initialG0, g1 = initialG1
        var scalars = String.UnicodeScalarView()
        var exact = true
        func fail() {
            scalars.append("\u{FFFD}")
            exact = false
        }
        // A two-byte character at i (G0: both bytes 0x21–0x7E; G1: both 0xA1–0xFE); returns the bytes used.
        func pair(_ table: MultiByteCharacterSetTables.TwoByteTable?, _ i: Int, high: Bool) -> Int {
            let range: ClosedRange<UInt8> = high ? 0xA1...0xFE : 0x21...0x7E
            guard i + 1 < bytes.count, range.contains(bytes[i + 1]) else {
                fail()
                return 1
            }
            if range.contains(bytes[i]), let scalar = table?.scalar(bytes[i] & 0x7F, bytes[i + 1] & 0x7F) {
                scalars.append(scalar)
            } else {
                fail()
            }
            return 2
        }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x1B:  // ESC, intermediate bytes 0x20–0x2F, a final byte 0x30–0x7E (ISO/IEC 2022 §13.1)
                var j = i + 1
                while j < bytes.count, (0x20...0x2F).contains(bytes[j]) { j += 1 }
                guard j < bytes.count, (0x30...0x7E).contains(bytes[j]) else {
                    fail()
                    i = j
                    continue
                }
                let sequence = Array(bytes[(i + 1)...j])
                if let set = GraphicCharacterSet.all.first(where: { $0.escapeSequence == sequence }) {
                    if set.isG0 { g0 = set } else { g1 = set }
                } else {
                    fail()
                }
                i = j + 1
            case 0x00..<0x20, 0x7F...0x9F:  // C0 and C1 controls, DEL
                scalars.append(Unicode.Scalar(b))
                (g0, g1) = (initialG0, initialG1)
                i += 1
            case 0x20:  // SPACE is a space whatever G0 holds (ISO/IEC 2022 §6.3.1)
                scalars.append(" ")
                i += 1
            case 0x21...0x7E:
                switch g0 {
                case .jisX0208: i += pair(tables?.jisX0208, i, high: false)
                case .jisX0212: i += pair(tables?.jisX0212, i, high: false)
                default:
                    scalars.append(Unicode.Scalar(b))
                    if delimiters.contains(b) { (g0, g1) = (initialG0, initialG1) }
                    i += 1
                }
            default:  // 0xA0–0xFF: G1
                switch g1 {
                case .latin1: scalars.append(Unicode.Scalar(b))
                case .singleByte(let set):
                    let value = set.upperHalf[Int(b) - 0xA0]
                    if value == 0xFFFD { fail() } else { scalars.append(Unicode.Scalar(value)!) }
                case .jisX0201Katakana:
                    // JIS X 0201 Katakana 0xA1–0xDF are U+FF61–U+FF9F, the halfwidth forms (Unicode JIS0201 mapping).
                    if (0xA1...0xDF).contains(b) { scalars.append(Unicode.Scalar(0xFF61 + UInt32(b) - 0xA1)!) } else { fail() }
                case .ksX1001:
                    i += pair(tables?.ksX1001, i, high: true)
                    continue
                case .gb2312:
                    i += pair(tables?.gb2312, i, high: true)
                    continue
                default: fail()
                }
                i += 1
            }
        }
        return (String(scalars), exact)
    }
}
