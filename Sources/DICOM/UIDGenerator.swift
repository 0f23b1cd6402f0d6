import Foundation

/// New DICOM UIDs under the `2.25` root (PS3.5 §B.2): `2.25.` followed by a random (version 4) UUID
/// read as one unsigned 128-bit decimal integer, at most 39 digits, so a UID is at most 44 characters
/// (within the 64 allowed by PS3.5 §9.1). No registration is needed for this root; docs/dicom.md.
public enum UIDGenerator {
    /// A new UID from a random UUID.
    public static func make() -> String { uid(from: UUID()) }

    /// The UID for a given UUID (deterministic; used by tests and for reproducible examples).
    public static func uid(from uuid: UUID) -> String {
        let u = uuid.uuid
        let bytes = [u.0, u.1, u.2, u.3, u.4, u.5, u.6, u.7, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15]
        return "2.25." + decimal(bigEndianBytes: bytes)
    }

    /// A deterministic UID derived from a name, for examples that must be reproducible: the
    /// 128-bit FNV-1a digest with the UUID version-4 bits set, under `2.25`.
    public static func uid(derivedFrom name: String) -> String {
        // Two 64-bit FNV-1a hashes with different offsets give 128 bits (not cryptographic; only unique).
        func fnv(_ offset: UInt64) -> UInt64 {
            var h = offset
            for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            return h
        }
        let hi = fnv(0xCBF2_9CE4_8422_2325), lo = fnv(0x8422_2325_CBF2_9CE4)
        var bytes =
            (0..<8).map { UInt8(truncatingIfNeeded: hi >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: lo >> (56 - 8 * $0)) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // RFC 4122 version 4 bits, as the UUID form of the 2.25 root expects
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return "2.25." + decimal(bigEndianBytes: bytes)
    }

    /// The decimal digits of a big-endian unsigned integer, without leading zeros.
    static func decimal(bigEndianBytes bytes: [UInt8]) -> String {
        var limbs = bytes  // repeated division by 10 of a base-256 number
        var digits: [UInt8] = []
        while limbs.contains(where: { $0 != 0 }) {
            var remainder = 0
            for i in limbs.indices {
                let acc = remainder * 256 + Int(limbs[i])
                limbs[i] = UInt8(acc / 10)
                remainder = acc % 10
            }
            digits.append(UInt8(remainder) + 0x30)
        }
        return digits.isEmpty ? "0" : String(decoding: digits.reversed(), as: UTF8.self)
    }
}
