/// Decodes the elements of a data set from bytes (PS3.5 §7), bounds-checking every length.
///
/// Malformed input never traps: every problem becomes a `DICOMError` with the byte offset and the
/// element path. Sequences may nest at most `maximumDepth` levels (real RT objects use four or five).
struct DataSetParser {
    /// Where the top-level Pixel Data value lies, when parsing stopped before it.
    struct PixelDataLocation: Sendable, Equatable {
        /// Byte offset of the value in the file.
        var offset: Int
        /// Value length in bytes.
        var length: Int
        /// The element's VR (OB or OW).
        var vr: VR
        /// Whether the value is encapsulated (compressed, PS3.5 §A.4); its length then runs to the end of
        /// the file, and the items inside end it.
        var isEncapsulated = false
    }

    /// The deepest sequence nesting accepted.
    static let maximumDepth = 24
    /// The undefined-length marker (PS3.5 §7.1.1).
    static let undefinedLength: UInt32 = 0xFFFF_FFFF

    let buffer: [UInt8]
    /// The size of the whole file (may exceed `buffer.count` when only a prefix was read).
    let fileSize: Int
    let syntax: TransferSyntax
    /// Stop at the top-level Pixel Data element and record where it lies instead of reading it.
    let stopAtPixelData: Bool
    /// The transfer syntax UID as the file stated it (for messages about encapsulated data).
    let statedSyntaxUID: String

    private(set) var position: Int
    private(set) var pixelData: PixelDataLocation?
    /// Set instead of `pixelData` when a header-only read meets encapsulated (compressed) Pixel Data.
    private(set) var encapsulatedPixelDataError: DICOMError?
    /// What was read with replacement characters: an unknown Specific Character Set, text values with bytes
    /// their character set does not define.
    private(set) var notes: [String] = []

    init(
        buffer: [UInt8], fileSize: Int, start: Int, syntax: TransferSyntax, statedSyntaxUID: String,
        stopAtPixelData: Bool
    ) {
        self.buffer = buffer
        self.fileSize = fileSize
        self.position = start
        self.syntax = syntax
        self.statedSyntaxUID = statedSyntaxUID
        self.stopAtPixelData = stopAtPixelData
    }

    // MARK: - Data sets

    /// Parses the top-level data set up to the end of the buffer (or Pixel Data when asked to stop there).
    mutating func parseTopLevel(characterSet: DICOMCharacterSet = .default) throws -> DataSet {
        try parseDataSet(
            end: buffer.count, untilItemDelimiter: false, syntax: syntax, depth: 0, characterSet: characterSet, path: ""
        )
    }

    private mutating func parseDataSet(
        end: Int, untilItemDelimiter: Bool, syntax: TransferSyntax, depth: Int, characterSet: DICOMCharacterSet,
        path: String
    ) throws -> DataSet {
        var dataSet = DataSet()
        dataSet.characterSet = characterSet
        while true {
            if !untilItemDelimiter && position == end { return dataSet }
            if untilItemDelimiter && position >= buffer.count {
                throw failure(.truncated, "an undefined-length item has no Item Delimitation (FFFE,E00D)", path)
            }
            let tag = try peekTag(syntax: syntax, end: end, path: path)
            if tag == .itemDelimitation {
                guard untilItemDelimiter else {
                    throw failure(
                        .badStructure,
                        "an Item Delimitation (FFFE,E00D) inside a defined-length item or at the top level", path)
                }
                position += 8
                return dataSet
            }
            if tag.group == 0xFFFE {
                throw failure(.badStructure, "found \(tag.description) where a data element should start", path)
            }
            guard let element = try parseElement(syntax: syntax, end: end, depth: depth, dataSet: dataSet, path: path)
            else {
                return dataSet  // stopped at Pixel Data
            }
            if element.tag == Tag(0x0008, 0x0005) {
                let text = DICOMCharacterSet.default.decode(element.bytes ?? [])
                do {
                    dataSet.characterSet = try DICOMCharacterSet(
                        specificCharacterSet: text.split(separator: "\\", omittingEmptySubsequences: false).map(
                            String.init))
                } catch var e as DICOMError {
                    e.offset = position
                    e.elementPath = path
                    throw e
                }
                if case .unrecognized(let term) = dataSet.characterSet {
                    notes.append(
                        "\(Self.describe(element.tag, in: path)) '\(term)' is not a character set Penumbra knows "
                            + "(PS3.3 C.12.1.1.2); its text is read as ASCII with other bytes shown as U+FFFD (\u{FFFD}). Names "
                            + "are only displayed; to read them, convert the file, e.g. with DCMTK `dcmconv --convert-to-utf8`")
                }
            } else if dataSet.characterSet.checksEachValue, DICOMCharacterSet.isAffected(element.vr),
                let bytes = element.bytes, !dataSet.characterSet.decode(bytes, vr: element.vr).isExact
            {
                notes.append(
                    "\(Self.describe(element.tag, in: path)) holds bytes that are not text in \(dataSet.characterSet.definedTerm); "
                        + "they are shown as U+FFFD (\u{FFFD}). Penumbra only displays this value; a name matched against it "
                        + "(an ROI chosen by name) will not match")
            }
            dataSet[element.tag] = element
        }
    }

    /// An element's place for a note, e.g. `(3006,0020) StructureSetROISequence[2] > (3006,0026) ROIName`.
    static func describe(_ tag: Tag, in path: String) -> String {
        let name = "\(tag) \(DataDictionary.entry(for: tag)?.keyword ?? "")".trimmingSpaces()
        return path.isEmpty ? name : "\(path) > \(name)"
    }

    /// Parses the File Meta group (0002), always Explicit VR Little Endian (PS3.10 §7.1), stopping at the
    /// first element of another group.
    mutating func parseMetaGroup() throws -> DataSet {
        var meta = DataSet()
        while position + 8 <= buffer.count, buffer[position] == 0x02, buffer[position + 1] == 0x00 {
            guard
                let element = try parseElement(
                    syntax: .explicitVRLittleEndian, end: buffer.count, depth: 0, dataSet: meta, path: "File Meta")
            else { break }
            meta[element.tag] = element
        }
        return meta
    }

    // MARK: - Elements

    private mutating func parseElement(
        syntax: TransferSyntax, end: Int, depth: Int, dataSet: DataSet, path: String
    ) throws -> DataElement? {
        let start = position
        let tag = try readTag(syntax: syntax, end: end, path: path)
        var vr: VR
        let length: UInt32
        if syntax.isExplicitVR {
            try need(2, end: end, path: path, what: "the VR of \(tag)")
            let c0 = buffer[position], c1 = buffer[position + 1]
            guard (0x41...0x5A).contains(c0), (0x41...0x5A).contains(c1),
                let explicit = VR(rawValue: String(decoding: [c0, c1], as: UTF8.self))
            else {
                throw failure(
                    .invalidVR,
                    "\(tag) has VR bytes \(Self.hexBytes([c0, c1])), which is not a DICOM VR (PS3.5 Table 6.2-1); the file is corrupt or not in the transfer syntax it declares",
                    path, at: position)
            }
            position += 2
            vr = explicit
            if vr.hasLongLength {
                try need(6, end: end, path: path, what: "the length of \(tag)")
                position += 2
                length = readUInt32(syntax.isBigEndian)
            } else {
                try need(2, end: end, path: path, what: "the length of \(tag)")
                length = UInt32(readUInt16(syntax.isBigEndian))
            }
        } else {
            try need(4, end: end, path: path, what: "the length of \(tag)")
            vr = DataDictionary.vr(for: tag)
            length = readUInt32(false)
        }
        let elementPath = path.isEmpty ? tag.description : "\(path) > \(tag.description)"

        if length == Self.undefinedLength {
            if tag == Tag(0x7FE0, 0x0010) && depth == 0 && EncapsulatedPixelDataDecoder.decodes(statedSyntaxUID) {
                if stopAtPixelData {
                    pixelData = PixelDataLocation(
                        offset: position, length: fileSize - position, vr: vr, isEncapsulated: true)
                    return nil
                }
                let decoded = try EncapsulatedPixelDataDecoder.decode(
                    buffer, start: position, syntaxUID: statedSyntaxUID, dataSet: dataSet)
                position = decoded.end
                let bits = try dataSet.int("BitsAllocated") ?? 16
                return DataElement(tag: tag, vr: bits > 8 ? .OW : .OB, value: .bytes(decoded.pixels))
            }
            if tag == Tag(0x7FE0, 0x0010) && depth > 0 && TransferSyntax.isEncapsulated(statedSyntaxUID) {
                // An icon image (Icon Image Sequence, PS3.3 C.7.6.1.1.6) is encapsulated like the image (PS3.5
                // §8.2): its items are stepped over and its pixels left out; Penumbra never shows icons.
                position = try EncapsulatedPixelData.parse(buffer, start: position).end
                return DataElement(tag: tag, vr: vr, value: .bytes([]))
            }
            if tag == Tag(0x7FE0, 0x0010) && depth == 0 {
                let error = encapsulatedPixelData(path: elementPath, at: start)
                // A header-only read stops here and keeps the reason; reading the pixels will throw it.
                guard stopAtPixelData else { throw error }
                encapsulatedPixelDataError = error
                return nil
            }
            // PS3.5 §7.5.1: undefined lengths are allowed for SQ, and for UN, whose value is then an
            // implicit VR little endian sequence (PS3.5 §6.2.2 Note).
            guard vr == .SQ || vr == .UN else {
                throw failure(
                    .badStructure, "\(tag) has VR \(vr.rawValue) with undefined length; only sequences may", path,
                    at: start)
            }
            let itemSyntax = vr == .UN ? TransferSyntax.implicitVRLittleEndian : syntax
            let items = try parseSequence(
                end: nil, syntax: itemSyntax, depth: depth + 1, characterSet: dataSet.characterSet, path: elementPath)
            return DataElement(tag: tag, vr: .SQ, value: .sequence(items))
        }

        let count = Int(length)
        guard count % 2 == 0 else {
            throw failure(
                .oddLength, "\(tag) has odd length \(count); PS3.5 §7.1.1 requires even value lengths", path, at: start)
        }
        guard position + count <= end else {
            let beyondFile = position + count > fileSize
            throw failure(
                beyondFile ? .truncated : .lengthPastEnd,
                "\(tag) declares \(count) bytes but only \(max(0, min(end, fileSize) - position)) remain "
                    + (beyondFile ? "in the file (truncated?)" : "in its enclosing item or sequence"), path, at: start)
        }
        if tag == Tag(0x7FE0, 0x0010) && depth == 0 && stopAtPixelData {
            guard count % (vr.binaryUnitSize ?? 1) == 0 else {
                throw failure(
                    .invalidVR,
                    "\(tag) (\(vr.rawValue)) has \(count) bytes, not a multiple of its \(vr.binaryUnitSize ?? 1)-byte values",
                    path, at: start)
            }
            pixelData = PixelDataLocation(offset: position, length: count, vr: vr)
            position += count
            return nil
        }
        if vr == .UN, !syntax.isBigEndian, let known = DataDictionary.entry(for: tag)?.vr {
            vr = known  // a known tag written as UN: PS3.5 §6.2.2 lets the reader use the dictionary's VR
            if known == .SQ {
                var sub = DataSetParser(
                    buffer: buffer, fileSize: fileSize, start: position, syntax: .implicitVRLittleEndian,
                    statedSyntaxUID: statedSyntaxUID, stopAtPixelData: false)
                let items = try sub.parseSequence(
                    end: position + count, syntax: .implicitVRLittleEndian, depth: depth + 1,
                    characterSet: dataSet.characterSet, path: elementPath)
                position += count
                return DataElement(tag: tag, vr: .SQ, value: .sequence(items))
            }
        }
        if vr == .SQ {
            let items = try parseSequence(
                end: position + count, syntax: syntax, depth: depth + 1, characterSet: dataSet.characterSet,
                path: elementPath)
            return DataElement(tag: tag, vr: .SQ, value: .sequence(items))
        }
        var value = Array(buffer[position..<(position + count)])
        // Big-endian values are swapped by their VR's unit (PS3.5 §7.3), Pixel Data included: OW is a
        // stream of 16-bit words whatever Bits Allocated says (DCMTK reads and writes it so; see
        // docs/dicom.md for 32-bit pixels under OW).
        if let unit = vr.binaryUnitSize {
            guard count % unit == 0 else {
                throw failure(
                    .invalidVR, "\(tag) (\(vr.rawValue)) has \(count) bytes, not a multiple of its \(unit)-byte values",
                    path, at: start)
            }
            if syntax.isBigEndian { Self.swap(&value, unit: unit) }
        }
        position += count
        return DataElement(tag: tag, vr: vr, value: .bytes(value))
    }

    // MARK: - Sequences (PS3.5 §7.5)

    private mutating func parseSequence(
        end: Int?, syntax: TransferSyntax, depth: Int, characterSet: DICOMCharacterSet, path: String
    ) throws -> [DataSet] {
        guard depth <= Self.maximumDepth else {
            throw failure(
                .nestingTooDeep, "sequences nest more than \(Self.maximumDepth) levels deep; the file is corrupt", path)
        }
        var items: [DataSet] = []
        let limit = end ?? buffer.count
        while true {
            if let end, position == end { return items }
            if end == nil && position >= buffer.count {
                throw failure(.truncated, "an undefined-length sequence has no Sequence Delimitation (FFFE,E0DD)", path)
            }
            let itemStart = position
            let tag = try readTag(syntax: syntax, end: limit, path: path)
            try need(4, end: limit, path: path, what: "an item length")
            let length = readUInt32(syntax.isBigEndian)
            let itemPath = "\(path)[\(items.count)]"
            switch tag {
            case .sequenceDelimitation:
                guard end == nil else {
                    throw failure(
                        .badStructure, "a Sequence Delimitation inside a defined-length sequence", path, at: itemStart)
                }
                return items
            case .item:
                if length == Self.undefinedLength {
                    items.append(
                        try parseDataSet(
                            end: limit, untilItemDelimiter: true, syntax: syntax, depth: depth,
                            characterSet: characterSet, path: itemPath))
                } else {
                    let itemEnd = position + Int(length)
                    guard itemEnd <= limit else {
                        throw failure(
                            itemEnd > fileSize ? .truncated : .lengthPastEnd,
                            "item \(items.count) declares \(length) bytes, past the end of its sequence", path,
                            at: itemStart)
                    }
                    items.append(
                        try parseDataSet(
                            end: itemEnd, untilItemDelimiter: false, syntax: syntax, depth: depth,
                            characterSet: characterSet, path: itemPath))
                }
            default:
                throw failure(
                    .badStructure, "expected an Item (FFFE,E000) in the sequence, found \(tag)", path, at: itemStart)
            }
        }
    }

    // MARK: - Bytes

    private func peekTag(syntax: TransferSyntax, end: Int, path: String) throws -> Tag {
        var copy = self
        return try copy.readTag(syntax: syntax, end: end, path: path)
    }

    private mutating func readTag(syntax: TransferSyntax, end: Int, path: String) throws -> Tag {
        try need(4, end: end, path: path, what: "a tag")
        let group = readUInt16(syntax.isBigEndian)
        let element = readUInt16(syntax.isBigEndian)
        return Tag(group, element)
    }

    private func need(_ count: Int, end: Int, path: String, what: String) throws {
        if position + count > buffer.count {
            throw failure(.truncated, "the file ends inside \(what)", path)
        }
        if position + count > end {
            throw failure(.lengthPastEnd, "\(what) runs past the end of its enclosing item or sequence", path)
        }
    }

    private mutating func readUInt16(_ bigEndian: Bool) -> UInt16 {
        let a = UInt16(buffer[position]), b = UInt16(buffer[position + 1])
        position += 2
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    private mutating func readUInt32(_ bigEndian: Bool) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 {
            let byte = UInt32(buffer[position + k])
            v |= bigEndian ? byte << (8 * (3 - k)) : byte << (8 * k)
        }
        position += 4
        return v
    }

    static func swap(_ bytes: inout [UInt8], unit: Int) {
        guard unit > 1 else { return }
        var start = 0
        while start + unit <= bytes.count {
            bytes[start..<(start + unit)].reverse()
            start += unit
        }
    }

    static func hexBytes(_ bytes: [UInt8]) -> String {
        bytes.map { b in
            let s = String(b, radix: 16, uppercase: true); return s.count == 1 ? "0" + s : s
        }.joined(separator: " ")
    }

    private func failure(_ kind: DICOMError.Kind, _ message: String, _ path: String, at offset: Int? = nil)
        -> DICOMError
    {
        DICOMError(kind, message, offset: offset ?? position, elementPath: path)
    }

    private func encapsulatedPixelData(path: String, at offset: Int) -> DICOMError {
        let name =
            TransferSyntax.native(uid: statedSyntaxUID) == nil
            ? (TransferSyntax.isEncapsulated(statedSyntaxUID)
                ? TransferSyntax(uid: statedSyntaxUID, isExplicitVR: true, isBigEndian: false).description
                : "transfer syntax \(statedSyntaxUID)")
            : TransferSyntax.native(uid: statedSyntaxUID)!.description
        return DICOMError(
            .unsupportedTransferSyntax,
            "the pixel data is encapsulated (compressed) in \(name); Penumbra decodes uncompressed data, "
                + "JPEG Lossless (Process 14), JPEG-LS Lossless and RLE Lossless only. Decompress first: with DCMTK `dcmdjpeg IN OUT` "
                + "for lossy JPEG, `dcmdjpls IN OUT` for JPEG-LS; JPEG 2000 with GDCM `gdcmconv --raw IN OUT`",
            offset: offset, elementPath: path)
    }
}
