import Foundation

/// A DICOM file (PS3.10 §7): optional 128-byte preamble and "DICM" prefix, File Meta Information
/// (group 0002, always Explicit VR Little Endian, PS3.10 §7.1), then the data set in its transfer syntax.
///
/// Files without preamble and File Meta (several planning systems export them) are read too: the
/// transfer syntax is then recognised from the first element (explicit VR if bytes 4–5 spell a VR).
public struct DICOMFile: Sendable {
    /// The File Meta Information (group 0002); empty when the file has none.
    public var meta: DataSet
    /// The data set (without group 0002).
    public var dataSet: DataSet
    /// The transfer syntax the data set was decoded with.
    public var transferSyntax: TransferSyntax
    /// Whether the file had the 128-byte preamble and "DICM" prefix.
    public var hasPreamble: Bool
    /// Where the Pixel Data value lies, when the file was read with `stopBeforePixelData`.
    public var pixelDataRange: Range<Int>?
    /// The VR of that Pixel Data (OB or OW; OL/OF/OD are possible), which sets big-endian swapping.
    public var pixelDataVR: VR?
    /// The transfer syntax UID of the Pixel Data when it is encapsulated (compressed) and located by a
    /// header-only read; `readPixelData` then decodes it.
    public var encapsulatedPixelDataSyntaxUID: String?
    /// Why the Pixel Data cannot be read, when a header-only read found it encapsulated (compressed).
    public var pixelDataError: DICOMError?
    /// Departures from the standard that the reader worked around (for the log), e.g. a File Meta that
    /// states the wrong VR encoding.
    public var notes: [String] = []

    /// Reads a file.
    /// - Parameters:
    ///   - url: the file.
    ///   - stopBeforePixelData: read the header only and record where the top-level Pixel Data lies
    ///     (for streaming a CT series slice by slice); only a prefix of the file is read when it suffices.
    /// - Throws: `DICOMError` with the file name, byte offset and element path.
    public static func read(contentsOf url: URL, stopBeforePixelData: Bool = false) throws -> DICOMFile {
        let path = url.path
        do {
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw DICOMError(.io, "cannot open the file (does it exist and is it readable?)")
            }
            defer { try? handle.close() }
            let size = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            let prefixSize = 65_536
            if stopBeforePixelData && size > prefixSize {
                let prefix = [UInt8](try handle.read(upToCount: prefixSize) ?? Data())
                do {
                    return try parse(prefix, fileSize: size, stopBeforePixelData: true)
                } catch let e as DICOMError where e.kind == .truncated || e.kind == .lengthPastEnd {
                    try handle.seek(toOffset: 0)  // the header is longer than the prefix: read it all
                }
            }
            let bytes = [UInt8](try handle.readToEnd() ?? Data())
            return try parse(bytes, fileSize: bytes.count, stopBeforePixelData: stopBeforePixelData)
        } catch let e as DICOMError {
            throw e.inFile(path)
        } catch {
            throw DICOMError(.io, "reading failed: \(error.localizedDescription)", file: path)
        }
    }

    /// Reads the Pixel Data bytes that `read(contentsOf:stopBeforePixelData: true)` located, little endian
    /// (big-endian data swapped by the VR's unit, PS3.5 §7.3).
    public func readPixelData(contentsOf url: URL) throws -> [UInt8] {
        if let pixelDataError { throw pixelDataError.inFile(url.path) }
        guard let range = pixelDataRange else {
            throw DICOMError(.missingAttribute, "the file has no Pixel Data (7FE0,0010)", file: url.path)
        }
        do {
            guard let handle = FileHandle(forReadingAtPath: url.path) else {
                throw DICOMError(.io, "cannot open the file", file: url.path)
            }
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(range.lowerBound))
            var bytes = [UInt8](try handle.read(upToCount: range.count) ?? Data())
            if let uid = encapsulatedPixelDataSyntaxUID {
                return try EncapsulatedPixelDataDecoder.decode(
                    bytes, start: 0, fileOffset: range.lowerBound, syntaxUID: uid, dataSet: dataSet
                ).pixels
            }
            guard bytes.count == range.count else {
                throw DICOMError(
                    .truncated, "the file ends inside the pixel data (it changed since its header was read?)",
                    file: url.path, offset: range.lowerBound)
            }
            if transferSyntax.isBigEndian, let unit = pixelDataVR?.binaryUnitSize {
                DataSetParser.swap(&bytes, unit: unit)
            }
            return bytes
        } catch let e as DICOMError {
            throw e.inFile(url.path)
        } catch {
            throw DICOMError(.io, "reading the pixel data failed: \(error.localizedDescription)", file: url.path)
        }
    }

    /// Parses a whole file held in memory.
    public static func parse(_ bytes: [UInt8]) throws -> DICOMFile {
        try parse(bytes, fileSize: bytes.count, stopBeforePixelData: false)
    }

    static func parse(_ bytes: [UInt8], fileSize: Int, stopBeforePixelData: Bool) throws -> DICOMFile {
        var start = 0
        var hasPreamble = false
        // PS3.10 §7.1: 128-byte preamble, then the four bytes "DICM".
        if bytes.count >= 132 && bytes[128..<132].elementsEqual("DICM".utf8) {
            start = 132
            hasPreamble = true
        }
        var meta = DataSet()
        if bytes.count >= start + 8 && bytes[start] == 0x02 && bytes[start + 1] == 0x00 {
            var parser = DataSetParser(
                buffer: bytes, fileSize: fileSize, start: start, syntax: .explicitVRLittleEndian,
                statedSyntaxUID: TransferSyntax.explicitVRLittleEndian.uid, stopAtPixelData: false)
            meta = try parser.parseMetaGroup()
            start = parser.position
        } else if hasPreamble {
            throw DICOMError(
                .notDICOM, "the file has a DICM prefix but no File Meta Information (group 0002) after it", offset: 132)
        }
        let stated = meta.string(Tag(0x0002, 0x0010))
        var syntax: TransferSyntax
        var notes: [String] = []
        if let stated {
            if let native = TransferSyntax.native(uid: stated) {
                syntax = native
                // Some exports state one little-endian syntax and write the other (FIELD.md §5.1): the first
                // element shows which (bytes 4–5 spell a VR only in explicit VR).
                if !native.isBigEndian, let seen = try? guessSyntax(bytes, at: start), !seen.isBigEndian,
                    seen.isExplicitVR != native.isExplicitVR
                {
                    notes.append(
                        "File Meta states \(native.name) but the data set is encoded as \(seen.name); read as the latter"
                    )
                    syntax = seen
                }
            } else if TransferSyntax.isEncapsulated(stated) {
                syntax = .explicitVRLittleEndian  // PS3.5 §A.4: encapsulated syntaxes are explicit VR LE
            } else if stated == "1.2.840.10008.1.2.1.99" {
                throw DICOMError(
                    .unsupportedTransferSyntax,
                    "the data set is deflated (Deflated Explicit VR Little Endian, 1.2.840.10008.1.2.1.99); inflate it first with DCMTK: `dcmconv +te IN OUT`",
                    offset: start)
            } else {
                throw DICOMError(
                    .unsupportedTransferSyntax,
                    "unknown transfer syntax \(stated); convert the file to Explicit VR Little Endian, e.g. with DCMTK `dcmconv +te IN OUT`",
                    offset: start)
            }
        } else {
            syntax = try guessSyntax(bytes, at: start)
        }
        var parser = DataSetParser(
            buffer: bytes, fileSize: fileSize, start: start, syntax: syntax, statedSyntaxUID: stated ?? syntax.uid,
            stopAtPixelData: stopBeforePixelData)
        let dataSet = try parser.parseTopLevel()
        notes += parser.notes
        if fileSize > bytes.count && parser.pixelData == nil && parser.encapsulatedPixelDataError == nil {
            // A prefix that ended on an element boundary before Pixel Data: the caller reads the whole file.
            throw DICOMError(
                .truncated, "the header continues past the \(bytes.count)-byte prefix", offset: bytes.count)
        }
        let pixels = parser.pixelData.map { $0.offset..<($0.offset + $0.length) }
        return DICOMFile(
            meta: meta, dataSet: dataSet, transferSyntax: syntax, hasPreamble: hasPreamble, pixelDataRange: pixels,
            pixelDataVR: parser.pixelData?.vr,
            encapsulatedPixelDataSyntaxUID: parser.pixelData?.isEncapsulated == true ? stated : nil,
            pixelDataError: parser.encapsulatedPixelDataError, notes: notes)
    }

    /// Recognises the transfer syntax of a data set that has no File Meta from its first element.
    private static func guessSyntax(_ bytes: [UInt8], at start: Int) throws -> TransferSyntax {
        guard bytes.count >= start + 8 else {
            throw DICOMError(
                .notDICOM, "the file is too short to hold a DICOM data set (\(bytes.count) bytes)", offset: start)
        }
        let groupLE = UInt16(bytes[start]) | UInt16(bytes[start + 1]) << 8
        let groupBE = UInt16(bytes[start]) << 8 | UInt16(bytes[start + 1])
        let vrBytes = [bytes[start + 4], bytes[start + 5]]
        let explicit =
            VR(rawValue: String(decoding: vrBytes, as: UTF8.self)) != nil
            && vrBytes.allSatisfy { (0x41...0x5A).contains($0) }
        // A data set without File Meta starts with a low, even group (0008 in practice).
        if groupLE >= 0x0004 && groupLE <= 0x0028 && groupLE % 2 == 0 {
            return explicit ? .explicitVRLittleEndian : .implicitVRLittleEndian
        }
        if groupBE >= 0x0004 && groupBE <= 0x0028 && groupBE % 2 == 0 && explicit {
            return .explicitVRBigEndian
        }
        throw DICOMError(
            .notDICOM,
            "no DICM prefix at byte 128 and the first bytes (\(DataSetParser.hexBytes(Array(bytes[start..<(start + 8)])))) are not a DICOM data set",
            offset: start)
    }
}
