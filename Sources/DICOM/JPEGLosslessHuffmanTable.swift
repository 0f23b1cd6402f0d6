/// A Huffman table from a Define Huffman Table segment (ITU-T T.81 §B.2.4.2), as a lookup from the
/// next 16 bits of the stream to the code's length and value.
///
/// The codes are generated from the 16 code-length counts (BITS) and the values (HUFFVAL) as T.81
/// Annex C describes (Figures C.1–C.3: canonical codes, each length's codes one more than the last,
/// shifted left when the length grows). Every 16-bit prefix of a code maps to it, so one lookup decodes
/// any code of 1–16 bits.
struct JPEGLosslessHuffmanTable: Sendable {
    /// For each 16-bit window: code length (high byte, 0 = no code starts with these bits) and value.
    let lookup: [UInt16]

    /// Builds the table.
    /// - Parameters:
    ///   - counts: BITS, the number of codes of each length 1…16.
    ///   - values: HUFFVAL, the values in order of increasing code length.
    /// - Throws: a message when the counts do not describe a prefix code (more codes of a length than fit).
    init(counts: [Int], values: [UInt8]) throws(EncapsulatedPixelDataDecoder.Failure) {
        var lookup = [UInt16](repeating: 0, count: 1 << 16)
        var code = 0
        var next = 0
        for length in 1...16 {
            for _ in 0..<counts[length - 1] {
                // T.81 Figure C.2: a code of `length` bits must fit in `length` bits.
                guard code < 1 << length else {
                    throw .init("the Huffman table has more codes of \(length) bits than fit (T.81 Annex C)")
                }
                let shift = 16 - length
                let entry = UInt16(length) << 8 | UInt16(values[next])
                for window in (code << shift)..<((code + 1) << shift) { lookup[window] = entry }
                code += 1
                next += 1
            }
            code <<= 1
        }
        self.lookup = lookup
    }
}
