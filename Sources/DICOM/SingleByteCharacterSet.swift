/// The single-byte character sets of DICOM's Specific Character Set besides Latin-1 (PS3.3 C.12.1.1.2,
/// Table C.12-2): bytes 0x00–0x7F are ISO-IR 6 (ASCII), 0x80–0x9F C1 controls, 0xA0–0xFF the set's own
/// characters (`upperHalf`, generated from the ISO/IEC 8859 parts and TIS 620 by
/// tools/generate-character-set-tables.py).
public enum SingleByteCharacterSet: String, Sendable, CaseIterable {
    /// ISO_IR 101: ISO/IEC 8859-2, Latin alphabet No. 2 (Central European).
    case latin2 = "101"
    /// ISO_IR 109: ISO/IEC 8859-3, Latin alphabet No. 3.
    case latin3 = "109"
    /// ISO_IR 110: ISO/IEC 8859-4, Latin alphabet No. 4.
    case latin4 = "110"
    /// ISO_IR 144: ISO/IEC 8859-5, Cyrillic.
    case cyrillic = "144"
    /// ISO_IR 127: ISO/IEC 8859-6, Arabic.
    case arabic = "127"
    /// ISO_IR 126: ISO/IEC 8859-7, Greek.
    case greek = "126"
    /// ISO_IR 138: ISO/IEC 8859-8, Hebrew.
    case hebrew = "138"
    /// ISO_IR 148: ISO/IEC 8859-9, Latin alphabet No. 5 (Turkish).
    case latin5 = "148"
    /// ISO_IR 166: TIS 620-2533, Thai.
    case thai = "166"

    /// The set named by a Specific Character Set term (`ISO_IR 144` or, with code extensions, `ISO 2022 IR 144`).
    init?(term: String) {
        for prefix in ["ISO_IR ", "ISO 2022 IR "] where term.hasPrefix(prefix) {
            if let set = SingleByteCharacterSet(rawValue: String(term.dropFirst(prefix.count))) {
                self = set
                return
            }
        }
        return nil
    }

    /// The final byte of `ESC - F`, which designates this set to G1 with code extensions (PS3.3 Table C.12-3).
    var designationFinalByte: UInt8 {
        switch self {
        case .latin2: 0x42
        case .latin3: 0x43
        case .latin4: 0x44
        case .cyrillic: 0x4C
        case .arabic: 0x47
        case .greek: 0x46
        case .hebrew: 0x48
        case .latin5: 0x4D
        case .thai: 0x54
        }
    }

    /// The defined term written in (0008,0005).
    public var definedTerm: String { "ISO_IR \(rawValue)" }

    /// Decodes bytes: ASCII below 0x80, C1 controls 0x80–0x9F, the set's characters above. ISO 2022 escape
    /// sequences (ESC, intermediate bytes 0x20–0x2F, a final byte 0x30–0x7E; ISO/IEC 2022 §13.1) are dropped:
    /// with one set they can only designate that set or ASCII. An undefined character or a broken escape
    /// sequence becomes U+FFFD and makes `isExact` false.
    func decode(_ bytes: some Collection<UInt8>) -> (text: String, isExact: Bool) {
        let table = upperHalf
        var scalars = String.UnicodeScalarView()
        var exact = true
        var escape = false
        for b in bytes {
            if b == 0x1B {
                escape = true
                continue
            }
            if escape {
                escape = (0x20...0x2F).contains(b)  // intermediate bytes continue it; the final byte ends it
                if !escape && !(0x30...0x7E).contains(b) {
                    scalars.append("\u{FFFD}")
                    exact = false
                }
                continue
            }
            let value = b < 0xA0 ? UInt32(b) : UInt32(table[Int(b) - 0xA0])
            if value == 0xFFFD { exact = false }
            scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
        if escape {  // the value ends inside an escape sequence
            scalars.append("\u{FFFD}")
            exact = false
        }
        return (String(scalars), exact)
    }

    /// Encodes text; characters the set cannot hold become `?`.
    func encode(_ text: String) -> [UInt8] {
        let table = upperHalf
        var reverse: [UInt32: UInt8] = [:]
        for (n, v) in table.enumerated() where v != 0xFFFD { reverse[UInt32(v)] = UInt8(0xA0 + n) }
        return text.unicodeScalars.map { s in s.value < 0xA0 ? UInt8(s.value) : reverse[s.value] ?? UInt8(ascii: "?") }
    }
}
