/// A DICOM transfer syntax (PS3.5 §10 and Annex A): how a data set's bytes are encoded.
public struct TransferSyntax: Hashable, Sendable, CustomStringConvertible {
    /// The transfer syntax UID.
    public let uid: String
    /// Whether every element carries its VR (explicit) or the VR comes from the dictionary (implicit).
    public let isExplicitVR: Bool
    /// Whether multi-byte numbers are big endian.
    public let isBigEndian: Bool

    /// Implicit VR Little Endian, the DICOM default (PS3.5 §A.1).
    public static let implicitVRLittleEndian = TransferSyntax(
        uid: "1.2.840.10008.1.2", isExplicitVR: false, isBigEndian: false)
    /// Explicit VR Little Endian (PS3.5 §A.2).
    public static let explicitVRLittleEndian = TransferSyntax(
        uid: "1.2.840.10008.1.2.1", isExplicitVR: true, isBigEndian: false)
    /// Explicit VR Big Endian, retired but still met in old files (PS3.5 §A.3); read only.
    public static let explicitVRBigEndian = TransferSyntax(
        uid: "1.2.840.10008.1.2.2", isExplicitVR: true, isBigEndian: true)

    /// The three native (uncompressed) transfer syntaxes this codec reads.
    public static let native: [TransferSyntax] = [implicitVRLittleEndian, explicitVRLittleEndian, explicitVRBigEndian]

    /// A human-readable name.
    public var name: String { Self.names[uid] ?? "transfer syntax \(uid)" }

    /// The name and UID.
    public var description: String { "\(name) (\(uid))" }

    /// Whether this UID names an encapsulated (compressed) transfer syntax: JPEG, JPEG-LS, JPEG 2000,
    /// RLE, MPEG, HEVC, HTJ2K (PS3.5 §A.4 and Annex A's table of UIDs 1.2.840.10008.1.2.4.x and .5).
    public static func isEncapsulated(_ uid: String) -> Bool {
        uid.hasPrefix("1.2.840.10008.1.2.4.") || uid == "1.2.840.10008.1.2.5"
    }

    /// The native syntax with this UID, or nil.
    public static func native(uid: String) -> TransferSyntax? { native.first { $0.uid == uid } }

    // Names from PS3.6 Annex A (Registry of DICOM Unique Identifiers).
    private static let names: [String: String] = [
        "1.2.840.10008.1.2": "Implicit VR Little Endian",
        "1.2.840.10008.1.2.1": "Explicit VR Little Endian",
        "1.2.840.10008.1.2.1.99": "Deflated Explicit VR Little Endian",
        "1.2.840.10008.1.2.2": "Explicit VR Big Endian",
        "1.2.840.10008.1.2.4.50": "JPEG Baseline (Process 1)",
        "1.2.840.10008.1.2.4.51": "JPEG Extended (Process 2 & 4)",
        "1.2.840.10008.1.2.4.57": "JPEG Lossless, Non-Hierarchical (Process 14)",
        "1.2.840.10008.1.2.4.70": "JPEG Lossless, First-Order Prediction (Process 14, SV1)",
        "1.2.840.10008.1.2.4.80": "JPEG-LS Lossless",
        "1.2.840.10008.1.2.4.81": "JPEG-LS Near-Lossless",
        "1.2.840.10008.1.2.4.90": "JPEG 2000 (Lossless Only)",
        "1.2.840.10008.1.2.4.91": "JPEG 2000",
        "1.2.840.10008.1.2.4.201": "High-Throughput JPEG 2000 (Lossless Only)",
        "1.2.840.10008.1.2.4.203": "High-Throughput JPEG 2000",
        "1.2.840.10008.1.2.5": "RLE Lossless",
    ]
}
