/// Reads fixed-width little-endian values from one frame, throwing `WireError` instead of reading
/// past its end: the decoder's only access to untrusted bytes.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset = 0
    /// What is being read, for error messages (e.g. "ASSIGN header").
    let context: String

    init(_ bytes: [UInt8], context: String) {
        self.bytes = bytes
        self.context = context
    }

    var remaining: Int { bytes.count - offset }

    private mutating func take(_ count: Int, _ field: String) throws(WireError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw .truncated(what: "\(context).\(field)", needed: count, available: remaining)
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: String) throws(WireError) -> T {
        let slice = try take(MemoryLayout<T>.size, field)
        var value: T = 0
        for (shift, byte) in slice.enumerated() { value |= T(truncatingIfNeeded: byte) << (8 * shift) }
        return value
    }

    mutating func readUInt128(_ field: String) throws(WireError) -> UInt128 {
        let low = try read(UInt64.self, field)
        let high = try read(UInt64.self, field)
        return UInt128(high) << 64 | UInt128(low)
    }

    /// A `UInt32`-length-prefixed byte string of at most `limit` bytes.
    mutating func readLengthPrefixed(_ field: String, limit: Int) throws(WireError) -> [UInt8] {
        let count = Int(try read(UInt32.self, field))
        guard count <= limit else {
            throw .tooLarge(what: "\(context).\(field)", bytes: count, limit: limit)
        }
        return Array(try take(count, field))
    }

    /// A length-prefixed UTF-8 string of at most `limit` bytes.
    mutating func readString(_ field: String, limit: Int = WireLimits.maximumStringBytes) throws(WireError) -> String {
        let data = try readLengthPrefixed(field, limit: limit)
        guard let text = String(validating: data, as: UTF8.self) else {
            throw .malformed(what: "\(context).\(field)", reason: "not valid UTF-8")
        }
        return text
    }

    mutating func readRaw(_ count: Int, _ field: String) throws(WireError) -> [UInt8] { Array(try take(count, field)) }

    /// Fails unless every byte was consumed: trailing bytes mean a sender of a different layout.
    func finish() throws(WireError) {
        guard remaining == 0 else {
            throw .malformed(what: context, reason: "\(remaining) unexpected trailing bytes")
        }
    }
}
