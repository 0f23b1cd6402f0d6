/// The character repertoires this codec decodes (PS3.3 C.12.1.1.2, Specific Character Set; PS3.5 §6.1).
public enum DICOMCharacterSet: Sendable, Equatable {
    /// The default repertoire (ISO-IR 6, i.e. ASCII), used when (0008,0005) is absent or empty.
    case `default`
    /// ISO_IR 100: ISO 8859-1, Latin alphabet No. 1.
    case latin1
    /// ISO_IR 192: Unicode in UTF-8.
    case utf8
    /// Another single-byte set: ISO_IR 101, 109, 110, 144, 127, 126, 138, 148 or 166.
    case singleByte(SingleByteCharacterSet)

    /// The character set named by the values of Specific Character Set (0008,0005).
    /// - Throws: `DICOMError.Kind.unsupportedCharacterSet` for any other repertoire.
    public init(specificCharacterSet values: [String]) throws {
        let terms = values.map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        if terms.isEmpty || terms.allSatisfy({ $0 == "ISO_IR 6" || $0 == "ISO 2022 IR 6" }) {
            self = .default
        } else if terms.allSatisfy({ $0 == "ISO_IR 100" || $0 == "ISO 2022 IR 100" || $0 == "ISO 2022 IR 6" }) {
            self = .latin1
        } else if terms == ["ISO_IR 192"] {
            self = .utf8
        } else if let set = terms.lazy.compactMap(SingleByteCharacterSet.init(term:)).first,
            terms.allSatisfy({ SingleByteCharacterSet(term: $0) == set || $0 == "ISO 2022 IR 6" })
        {
            // One single-byte set, alone or as G1 beside ASCII with code extensions (PS3.3 C.12.1.1.2); text
            // that switches between several sets with escape sequences is refused below.
            self = .singleByte(set)
        } else {
            throw DICOMError(
                .unsupportedCharacterSet,
                "Specific Character Set \(terms.joined(separator: "\\")) is not supported (ISO_IR 6, 100, 101, 109, 110, "
                    + "126, 127, 138, 144, 148, 166 and 192 are, one at a time); convert the file to UTF-8 first, e.g. with DCMTK `dcmconv --convert-to-utf8`")
        }
    }

    /// The value of (0008,0005) that names this set when writing.
    public var definedTerm: String {
        switch self {
        case .default: ""
        case .latin1: "ISO_IR 100"
        case .utf8: "ISO_IR 192"
        case .singleByte(let set): set.definedTerm
        }
    }

    /// Decodes text bytes. Bytes above 0x7F in the default repertoire are read as Latin-1, the
    /// superset most writers meant; UTF-8 decoding replaces invalid sequences with U+FFFD.
    public func decode(_ bytes: some Collection<UInt8>) -> String {
        switch self {
        case .default, .latin1: String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case .utf8: String(decoding: bytes, as: UTF8.self)
        case .singleByte(let set): set.decode(bytes)
        }
    }

    /// Encodes text; characters the set cannot hold become `?`.
    public func encode(_ text: String) -> [UInt8] {
        switch self {
        case .utf8: Array(text.utf8)
        case .default: text.unicodeScalars.map { $0.value < 0x80 ? UInt8($0.value) : UInt8(ascii: "?") }
        case .latin1: text.unicodeScalars.map { $0.value < 0x100 ? UInt8($0.value) : UInt8(ascii: "?") }
        case .singleByte(let set): set.encode(text)
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
