/// The item structure of encapsulated Pixel Data (PS3.5 §A.4): an undefined-length Pixel Data element
/// holding a Basic Offset Table item, one or more fragment items, and a Sequence Delimitation Item.
///
/// Each item is a little-endian Item tag (FFFE,E000) and a 4-byte defined length (PS3.5 §A.4: the
/// encapsulated transfer syntaxes are all little endian). The first item is the Basic Offset Table —
/// empty, or one 32-bit offset per frame from the first byte of the first fragment item to the first
/// byte of the frame's first fragment item (PS3.5 §A.4, Table A.4-1). A frame may span several
/// fragments; a fragment never holds more than one frame.
public struct EncapsulatedPixelData: Sendable {
    /// One fragment: its bytes and where its item starts, relative to the first fragment item
    /// (the reference point of the offset tables).
    public struct Fragment: Sendable {
        /// The offset of the fragment's item tag from the first fragment item's tag.
        public var itemOffset: Int
        /// The fragment's bytes.
        public var bytes: ArraySlice<UInt8>
    }

    /// The Basic Offset Table's entries (empty when the table is empty).
    public var basicOffsetTable: [UInt32]
    /// The fragments in order.
    public var fragments: [Fragment]

    static let itemTag: (UInt16, UInt16) = (0xFFFE, 0xE000)
    static let sequenceDelimiterTag: (UInt16, UInt16) = (0xFFFE, 0xE0DD)

    /// Parses the items of an encapsulated Pixel Data value.
    /// - Parameters:
    ///   - bytes: a buffer holding the value (and possibly more after it).
    ///   - start: where the value starts in `bytes` (just after the element's undefined length).
    ///   - fileOffset: the file offset of `bytes[0]`, for messages.
    /// - Returns: the structure and the index just past the Sequence Delimitation Item.
    /// - Throws: `DICOMError` (`truncated`, `badStructure`) naming the byte offset.
    public static func parse(_ bytes: [UInt8], start: Int, fileOffset: Int = 0) throws -> (
        EncapsulatedPixelData, end: Int
    ) {
        var position = start
        var table: [UInt32]? = nil
        var fragments: [Fragment] = []
        var firstFragmentItem: Int? = nil
        func fail(_ kind: DICOMError.Kind, _ message: String, at offset: Int) -> DICOMError {
            DICOMError(kind, message, offset: fileOffset + offset, elementPath: "(7FE0,0010) PixelData")
        }
        while true {
            guard position + 8 <= bytes.count else {
                throw fail(
                    .truncated,
                    "the file ends inside the encapsulated pixel data (after \(fragments.count) fragments, no Sequence Delimitation Item (FFFE,E0DD)); the file is truncated",
                    at: position)
            }
            let group = UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
            let element = UInt16(bytes[position + 2]) | UInt16(bytes[position + 3]) << 8
            var length = 0
            for k in 0..<4 { length |= Int(bytes[position + 4 + k]) << (8 * k) }
            let itemStart = position
            position += 8
            if (group, element) == sequenceDelimiterTag {
                guard table != nil else {
                    throw fail(
                        .badStructure,
                        "the encapsulated pixel data ends before its Basic Offset Table item (PS3.5 §A.4)",
                        at: itemStart)
                }
                return (EncapsulatedPixelData(basicOffsetTable: table ?? [], fragments: fragments), position)
            }
            guard (group, element) == itemTag else {
                throw fail(
                    .badStructure,
                    "expected an Item (FFFE,E000) or Sequence Delimitation (FFFE,E0DD) in the encapsulated pixel data, found (\(hex(group)),\(hex(element)))",
                    at: itemStart)
            }
            guard length != 0xFFFF_FFFF else {
                throw fail(
                    .badStructure, "an encapsulated pixel data item has undefined length; PS3.5 §A.4 requires defined lengths",
                    at: itemStart)
            }
            guard position + length <= bytes.count else {
                throw fail(
                    .truncated,
                    "a pixel data fragment declares \(length) bytes but only \(bytes.count - position) remain in the file (truncated?)",
                    at: itemStart)
            }
            if table == nil {
                guard length % 4 == 0 else {
                    throw fail(
                        .badStructure, "the Basic Offset Table has \(length) bytes, not a multiple of 4 (PS3.5 §A.4)",
                        at: itemStart)
                }
                table = stride(from: position, to: position + length, by: 4).map { at in
                    (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
                }
            } else {
                let reference = firstFragmentItem ?? itemStart
                firstFragmentItem = reference
                fragments.append(Fragment(itemOffset: itemStart - reference, bytes: bytes[position..<(position + length)]))
            }
            position += length
        }
    }

    /// The bytes of each frame: the fragments grouped by the offset table, or, when it is empty, one frame
    /// of all fragments, one fragment per frame, or (for JPEG family streams) a new frame at each fragment
    /// that starts with a Start of Image marker.
    /// - Parameters:
    ///   - count: Number of Frames (0028,0008), 1 when absent.
    ///   - extendedOffsets: the Extended Offset Table (7FE0,0001), which replaces an empty Basic Offset Table.
    ///   - framesStartWithSOI: whether each frame is a JPEG-family stream (starts with FF D8).
    /// - Throws: `DICOMError.Kind.badStructure` when the fragments cannot be grouped into `count` frames.
    public func frames(count: Int, extendedOffsets: [UInt64]? = nil, framesStartWithSOI: Bool) throws -> [[UInt8]] {
        guard !fragments.isEmpty else {
            throw DICOMError(.badStructure, "the encapsulated pixel data holds no fragments", elementPath: "(7FE0,0010) PixelData")
        }
        let offsets: [Int]? =
            extendedOffsets.map { $0.map { Int(clamping: $0) } }
            ?? (basicOffsetTable.isEmpty ? nil : basicOffsetTable.map { Int($0) })
        if count == 1 {
            return [fragments.reduce(into: []) { $0.append(contentsOf: $1.bytes) }]
        }
        var starts: [Int]
        if let offsets {
            guard offsets.count == count else {
                throw DICOMError(
                    .badStructure,
                    "the offset table lists \(offsets.count) frames but Number of Frames is \(count)",
                    elementPath: "(7FE0,0010) PixelData")
            }
            starts = try offsets.map { offset in
                guard let index = fragments.firstIndex(where: { $0.itemOffset == offset }) else {
                    throw DICOMError(
                        .badStructure,
                        "the offset table points to byte \(offset), where no fragment starts; the pixel data is corrupt",
                        elementPath: "(7FE0,0010) PixelData")
                }
                return index
            }
        } else if fragments.count == count {
            starts = Array(0..<count)
        } else if framesStartWithSOI {
            starts = fragments.indices.filter { fragments[$0].bytes.starts(with: [0xFF, 0xD8]) }
        } else {
            starts = []
        }
        guard starts.count == count, starts.first == 0, zip(starts.dropFirst(), starts).allSatisfy({ $0 > $1 }) else {
            throw DICOMError(
                .badStructure,
                "\(fragments.count) fragments cannot be grouped into \(count) frames (empty offset table, and frames cannot be told apart); the pixel data is corrupt",
                elementPath: "(7FE0,0010) PixelData")
        }
        return starts.indices.map { n in
            let end = n + 1 < starts.count ? starts[n + 1] : fragments.count
            return fragments[starts[n]..<end].reduce(into: []) { $0.append(contentsOf: $1.bytes) }
        }
    }

    private static func hex(_ v: UInt16) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - s.count) + s
    }
}
