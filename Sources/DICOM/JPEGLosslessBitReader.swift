/// Reads the entropy-coded bits of a JPEG scan (ITU-T T.81 §F.1.2.3 and §B.1.1.5): most significant
/// bit first, a 0xFF data byte is followed by a stuffed 0x00 that is dropped, and any other byte after
/// 0xFF is a marker that ends the entropy-coded segment (a restart marker RSTn, or the marker after
/// the scan).
///
/// At a marker the reader supplies zero bits (T.81 §F.2.2.5 lets a decoder pad so); `overrun` says
/// whether decoding used any of them, which means the segment was shorter than its samples need.
struct JPEGLosslessBitReader {
    let data: [UInt8]
    /// The next byte to load.
    private(set) var position: Int
    private var bits: UInt64 = 0
    private var count = 0
    /// Zero bytes supplied after a marker or the end of the data.
    private var padding = 0
    /// The marker code (the byte after 0xFF) that stopped loading, and where its 0xFF is.
    private(set) var marker: (code: UInt8, at: Int)? = nil

    init(data: [UInt8], position: Int) {
        self.data = data
        self.position = position
    }

    /// Whether decoding has consumed bits past the end of the segment.
    var overrun: Bool { padding * 8 > count }

    /// Loads bytes until at least 57 bits are buffered.
    @inline(__always)
    private mutating func fill() {
        while count <= 56 {
            var byte: UInt64 = 0
            if marker == nil && position < data.count {
                let b = data[position]
                if b == 0xFF {
                    // Fill bytes (several 0xFF) may precede a marker (T.81 §B.1.1.2).
                    var next = position + 1
                    while next < data.count && data[next] == 0xFF { next += 1 }
                    if next < data.count && data[next] == 0x00 && next == position + 1 {
                        byte = 0xFF
                        position += 2
                    } else {
                        marker = (next < data.count ? data[next] : 0xD9, position)
                        padding += 1
                    }
                } else {
                    byte = UInt64(b)
                    position += 1
                }
            } else {
                if marker == nil { marker = (0xD9, data.count) }  // the data ended without EOI
                padding += 1
            }
            bits |= byte << UInt64(56 - count)
            count += 8
        }
    }

    /// The next 16 bits, not consumed.
    @inline(__always)
    mutating func peek16() -> Int {
        if count < 16 { fill() }
        return Int(truncatingIfNeeded: bits >> 48)
    }

    /// Consumes `n` bits (n ≤ 16, after a peek).
    @inline(__always)
    mutating func skip(_ n: Int) {
        bits <<= UInt64(n)
        count -= n
    }

    /// Reads `n` bits (0 ≤ n ≤ 16) as an unsigned number.
    @inline(__always)
    mutating func receive(_ n: Int) -> Int {
        guard n > 0 else { return 0 }
        if count < n { fill() }
        let v = Int(truncatingIfNeeded: bits >> UInt64(64 - n))
        skip(n)
        return v
    }

    /// Discards the rest of the segment and moves past the marker that ends it.
    /// - Returns: the marker code, or nil when the data ended without one.
    mutating func nextMarker() -> UInt8? {
        if marker == nil {
            // Skip to the marker: only the pad bits of the last byte can remain before it.
            while position < data.count {
                if data[position] == 0xFF, position + 1 < data.count, data[position + 1] != 0x00 {
                    var at = position + 1
                    while at < data.count && data[at] == 0xFF { at += 1 }
                    marker = (at < data.count ? data[at] : 0xD9, position)
                    break
                }
                position += 1
            }
        }
        guard let found = marker, found.at < data.count else { return nil }
        var at = found.at
        while at < data.count && data[at] == 0xFF { at += 1 }
        position = at + 1
        bits = 0
        count = 0
        padding = 0
        marker = nil
        return found.code
    }
}
