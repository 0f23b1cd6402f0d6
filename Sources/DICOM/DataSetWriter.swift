import FileIO
import Foundation

/// Encodes data sets and Part 10 files (PS3.5 §7, PS3.10 §7.1).
///
/// Writes Explicit VR Little Endian (the default) or Implicit VR Little Endian, with defined lengths
/// for every sequence and item. Values are padded to even length (PS3.5 §7.1.1). In explicit VR a
/// value too long for a 2-byte length (over 65,534 bytes, e.g. a huge ContourData) is written as UN
/// with a 4-byte length, as PS3.5 §6.2.2 prescribes; readers recover its VR from the dictionary.
public enum DataSetWriter {
    /// Penumbra's implementation class UID (PS3.7 §D.3.3.2), under the UID scheme of `UIDGenerator`.
    public static let implementationClassUID = "2.25.94135311745289613011359516447311342193"
    /// Penumbra's implementation version name (at most 16 characters, VR SH).
    public static let implementationVersionName = "PENUMBRA_0_1"

    /// The bytes of a data set (without File Meta) in a little-endian transfer syntax.
    public static func encode(_ dataSet: DataSet, syntax: TransferSyntax = .explicitVRLittleEndian) -> [UInt8] {
        precondition(!syntax.isBigEndian, "Penumbra writes little-endian transfer syntaxes only")
        var out: [UInt8] = []
        for tag in dataSet.sortedTags where tag.group != 0x0002 && !tag.isGroupLength {
            encode(dataSet[tag]!, explicit: syntax.isExplicitVR, into: &out)
        }
        return out
    }

    /// A complete Part 10 file: preamble, "DICM", File Meta, data set.
    /// The SOP Class and Instance UIDs of the File Meta are taken from the data set.
    public static func fileBytes(_ dataSet: DataSet, syntax: TransferSyntax = .explicitVRLittleEndian) -> [UInt8] {
        var meta = DataSet()
        meta.set("FileMetaInformationVersion", vr: .OB, bytes: [0x00, 0x01])
        meta.set("MediaStorageSOPClassUID", dataSet.string("SOPClassUID") ?? "")
        meta.set("MediaStorageSOPInstanceUID", dataSet.string("SOPInstanceUID") ?? "")
        meta.set("TransferSyntaxUID", syntax.uid)
        meta.set("ImplementationClassUID", implementationClassUID)
        meta.set("ImplementationVersionName", implementationVersionName)
        var metaBytes: [UInt8] = []
        for tag in meta.sortedTags { encode(meta[tag]!, explicit: true, into: &metaBytes) }
        var out = [UInt8](repeating: 0, count: 128)
        out += Array("DICM".utf8)
        // (0002,0000) File Meta Information Group Length, UL (PS3.10 §7.1).
        out += [0x02, 0x00, 0x00, 0x00] + Array("UL".utf8) + [0x04, 0x00]
        appendUInt32(UInt32(metaBytes.count), to: &out)
        out += metaBytes
        out += encode(dataSet, syntax: syntax)
        return out
    }

    /// Writes a Part 10 file through a temporary file in the same folder and a rename, so a failure
    /// never leaves a half-written file behind (DESIGN.md invariant 4).
    public static func write(_ dataSet: DataSet, to url: URL, syntax: TransferSyntax = .explicitVRLittleEndian) throws {
        do {
            try AtomicFile.write(fileBytes(dataSet, syntax: syntax), to: url)
        } catch {
            throw DICOMError(
                .io, "cannot write (does the folder exist and is it writable?): \(error.reason)", file: url.path)
        }
    }

    // MARK: - Elements

    private static func encode(_ element: DataElement, explicit: Bool, into out: inout [UInt8]) {
        var vr = element.vr
        let value: [UInt8]
        switch element.value {
        case .sequence(let items):
            var body: [UInt8] = []
            for item in items {
                let itemBytes = encode(item, syntax: explicit ? .explicitVRLittleEndian : .implicitVRLittleEndian)
                appendTag(.item, to: &body)
                appendUInt32(UInt32(itemBytes.count), to: &body)
                body += itemBytes
            }
            value = body
            vr = .SQ
        case .bytes(let raw):
            value = raw.count % 2 == 0 ? raw : raw + [vr.paddingByte]
        }
        appendTag(element.tag, to: &out)
        if explicit {
            if !vr.hasLongLength && value.count > 0xFFFE { vr = .UN }
            out += Array(vr.rawValue.utf8)
            if vr.hasLongLength {
                out += [0, 0]
                appendUInt32(UInt32(value.count), to: &out)
            } else {
                out += [UInt8(value.count & 0xFF), UInt8(value.count >> 8)]
            }
        } else {
            appendUInt32(UInt32(value.count), to: &out)
        }
        out += value
    }

    private static func appendTag(_ tag: Tag, to out: inout [UInt8]) {
        out += [UInt8(tag.group & 0xFF), UInt8(tag.group >> 8), UInt8(tag.element & 0xFF), UInt8(tag.element >> 8)]
    }

    private static func appendUInt32(_ v: UInt32, to out: inout [UInt8]) {
        out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
    }
}
