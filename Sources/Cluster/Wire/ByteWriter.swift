/// Appends fixed-width little-endian values to a byte buffer: the one place the wire's byte order is made.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    mutating func write(_ value: UInt8) { bytes.append(value) }

    mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A `UInt128` as two little-endian `UInt64`: low half first.
    mutating func write(_ value: UInt128) {
        write(UInt64(truncatingIfNeeded: value))
        write(UInt64(truncatingIfNeeded: value >> 64))
    }

    /// A byte string: `UInt32` length, then the bytes.
    mutating func write(lengthPrefixed data: [UInt8]) {
        write(UInt32(data.count))
        bytes.append(contentsOf: data)
    }

    /// A UTF-8 string: `UInt32` length, then the bytes.
    mutating func write(string: String) { write(lengthPrefixed: Array(string.utf8)) }

    mutating func write(raw data: [UInt8]) { bytes.append(contentsOf: data) }
}
