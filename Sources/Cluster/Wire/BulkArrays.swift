// Bulk little-endian arrays: the tallies are most of the bytes on the wire, so they are copied as
// memory on little-endian hosts (every supported platform) and never element by element.

#if !_endian(little)
    #error("the wire codec copies tally arrays as memory and assumes a little-endian host")
#endif

extension ByteWriter {
    /// The elements' bytes, in order, little-endian (`UInt128` low half first, as its memory layout).
    mutating func write<T: FixedWidthInteger>(array values: [T]) {
        values.withUnsafeBytes { write(raw: Array($0)) }
    }
}

extension ByteReader {
    /// `count` little-endian elements.
    mutating func readArray<T: FixedWidthInteger>(of _: T.Type, count: Int, _ field: String) throws(WireError) -> [T] {
        let size = MemoryLayout<T>.stride
        guard count >= 0, count <= remaining / size else {
            throw .truncated(what: "\(context).\(field)", needed: count.multipliedReportingOverflow(by: size).partialValue, available: remaining)
        }
        let raw = try readRaw(count * size, field)
        var values = [T](repeating: 0, count: count)
        values.withUnsafeMutableBytes { destination in
            raw.withUnsafeBytes { destination.copyMemory(from: $0) }
        }
        return values
    }
}
