/// The character repertoires this codec decodes (PS3.3 C.12.1.1.2, Specific Character Set; PS3.5 §6.1).
///
/// Decoding never fails: bytes a set cannot decode become U+FFFD, and `decode(_:vr:)` says whether any did.
/// The parser notes each such element (file notes), so a name Penumbra only displays never stops a
/// calculation; a Specific Character Set it does not know is noted the same way and read as ASCII.
public enum DICOMCharacterSet: Sendable, Equatable {
    /// The default repertoire (ISO-IR 6, i.e. ASCII), used when (0008,0005) is absent or empty.
    case `default`
    /// ISO_IR 100: ISO 8859-1, Latin alphabet No. 1.
    case latin1
    /// ISO_IR 192: Unicode in UTF-8.
    case utf8
    /// Another single-byte set: ISO_IR 101, 109, 110, 144, 127, 126, 138, 148 or 166.
    case singleByte(SingleByteCharacterSet)
    /// ISO 2022 code extensions switching sets by escape sequences, including the multi-byte Japanese,
    /// Korean and Chinese sets (ISO 2022 IR 87, 159, 149, 58), and ISO_IR 13 (JIS X 0201).
    case codeExtensions(CodeExtensionCharacterSet)
    /// GB18030 or GBK.
    case chinese(ChineseCharacterSet)
    /// A Specific Character Set that is not a defined term this codec knows: read as ASCII, every byte
    /// above 0x7F as U+FFFD.
    case unrecognized(String)

    /// The character set named by the values of Specific Character Set (0008,0005).
    /// - Throws: `DICOMError.Kind.unsupportedCharacterSet` only when a multi-byte set's tables are missing from
    ///   the installation; an unknown term gives `.unrecognized`.
    public init(specificCharacterSet values: [String]) throws {
        let values = values.map { $0.trimmingSpaces() }
        let terms = values.filter { !$0.isEmpty }
        if terms.isEmpty || terms.allSatisfy({ $0 == "ISO_IR 6" || $0 == "ISO 2022 IR 6" }) {
            self = .default
        } else if terms.allSatisfy({ $0 == "ISO_IR 100" || $0 == "ISO 2022 IR 100" || $0 == "ISO 2022 IR 6" }) {
            self = .latin1
        } else if terms == ["ISO_IR 192"] {
            self = .utf8
        } else if terms.count == 1, let set = ChineseCharacterSet(rawValue: terms[0]) {
            _ = try MultiByteCharacterSetTables.bundled()
            self = .chinese(set)
        } else if let set = terms.lazy.compactMap(SingleByteCharacterSet.init(term:)).first,
            terms.allSatisfy({ SingleByteCharacterSet(term: $0) == set || $0 == "ISO 2022 IR 6" })
        {
            // One single-byte set, alone or as G1 beside ASCII with code extensions (PS3.3 C.12.1.1.2): its
            // escape sequences can only designate that set or ASCII.
            self = .singleByte(set)
        } else if let extensions = CodeExtensionCharacterSet(terms: values) {
            if extensions.needsMultiByteTables { _ = try MultiByteCharacterSetTables.bundled() }
            self = .codeExtensions(extensions)
        } else {
            self = .unrecognized(values.joined(separator: "\\"))
        }
    }

    /// The value of (0008,0005) that names this set when writing.
    public var definedTerm: String {
        switch self {
        case .default: ""
        case .latin1: "ISO_IR 100"
        case .utf8: "ISO_IR 192"
        case .singleByte(let set): set.definedTerm
        case .codeExtensions(let set): set.terms.joined(separator: "\\")
        case .chinese(let set): set.rawValue
        case .unrecognized(let term): term
        }
    }

    /// Whether the parser checks each text value: some byte sequences cannot be decoded in this set (an
    /// unrecognized set is noted once instead, for the whole data set).
    var checksEachValue: Bool {
        switch self {
        case .default, .latin1, .unrecognized: false
        case .utf8, .singleByte, .codeExtensions, .chinese: true
        }
    }

    /// Whether values of this VR are decoded with Specific Character Set; the others are in the default
    /// repertoire (PS3.5 §6.1.2.3).
    static func isAffected(_ vr: VR) -> Bool { [.SH, .LO, .ST, .LT, .UC, .UT, .PN].contains(vr) }

    /// Decodes text bytes as one value (no delimiters). Bytes above 0x7F in the default repertoire are read
    /// as Latin-1, the superset most writers meant.
    public func decode(_ bytes: some Collection<UInt8>) -> String { decode(Array(bytes), vr: .LT).text }

    /// Decodes the bytes of an element of a VR, whose delimiters return code extensions to value 1's sets
    /// (`\` between values, `^` and `=` in PN); `isExact` is false when some bytes became U+FFFD.
    public func decode(_ bytes: [UInt8], vr: VR) -> (text: String, isExact: Bool) {
        switch self {
        case .default, .latin1: return (String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) })), true)
        case .utf8:
            if let text = String(validating: bytes, as: UTF8.self) { return (text, true) }
            return (String(decoding: bytes, as: UTF8.self), false)
        case .singleByte(let set): return set.decode(bytes)
        case .codeExtensions(let set):
            let delimiters: [UInt8] =
                vr == .PN ? [0x5C, 0x5E, 0x3D] : vr.allowsBackslashSeparatedValues ? [0x5C] : []
            return set.decode(bytes, delimiters: delimiters, tables: try? MultiByteCharacterSetTables.bundled())
        case .chinese(let set): return set.decode(bytes, tables: try? MultiByteCharacterSetTables.bundled())
        case .unrecognized:
            return (
                String(String.UnicodeScalarView(bytes.map { $0 < 0x80 ? Unicode.Scalar($0) : "\u{FFFD}" })),
                !bytes.contains { $0 >= 0x80 }
            )
        }
    }

    /// Encodes text; characters the set cannot hold become `?`. Writing is in ASCII, Latin-1, UTF-8 or a
    /// single-byte set; the multi-byte sets are read only (their text is written as ASCII).
    public func encode(_ text: String) -> [UInt8] {
        switch self {
        case .utf8: Array(text.utf8)
        case .latin1: text.unicodeScalars.map { $0.value < 0x100 ? UInt8($0.value) : UInt8(ascii: "?") }
        case .singleByte(let set): set.encode(text)
        case .default, .codeExtensions, .chinese, .unrecognized:
            text.unicodeScalars.map { $0.value < 0x80 ? UInt8($0.value) : UInt8(ascii: "?") }
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and NULs (DICOM padding, PS3.5 §6.2).
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\0" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\0" })!
        return String(scalars[first...last])
    }
}
