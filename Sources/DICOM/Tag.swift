/// A DICOM attribute tag: a (group, element) pair (PS3.5 §7.1).
///
/// Tags order by group, then element, which is the order elements must appear in a data set
/// (PS3.5 §7.1: "Data Elements in a Data Set shall be ordered by increasing Data Element Tag Number").
public struct Tag: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The group number.
    public let group: UInt16
    /// The element number.
    public let element: UInt16

    /// Creates a tag from its group and element numbers.
    public init(_ group: UInt16, _ element: UInt16) {
        self.group = group
        self.element = element
    }

    /// The tag as one 32-bit number, group in the high half.
    public var value: UInt32 { UInt32(group) << 16 | UInt32(element) }

    /// True for private tags (odd group numbers, PS3.5 §7.8.1).
    public var isPrivate: Bool { group & 1 == 1 }

    /// True for group-length elements (gggg,0000), which PS3.5 §7.2 retires outside group 0002.
    public var isGroupLength: Bool { element == 0 }

    /// Orders tags by group, then element.
    public static func < (a: Tag, b: Tag) -> Bool { a.value < b.value }

    /// `(gggg,eeee)` in upper-case hexadecimal, followed by the keyword when the dictionary knows it.
    public var description: String {
        let hex = "(\(Self.hex4(group)),\(Self.hex4(element)))"
        if let keyword = DataDictionary.entry(for: self)?.keyword { return "\(hex) \(keyword)" }
        return hex
    }

    static func hex4(_ v: UInt16) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - s.count) + s
    }
}

// MARK: - Item and delimitation tags (PS3.5 §7.5)

extension Tag {
    /// Item (FFFE,E000).
    public static let item = Tag(0xFFFE, 0xE000)
    /// Item Delimitation Item (FFFE,E00D).
    public static let itemDelimitation = Tag(0xFFFE, 0xE00D)
    /// Sequence Delimitation Item (FFFE,E0DD).
    public static let sequenceDelimitation = Tag(0xFFFE, 0xE0DD)
}
