/// Reads the coded bits of a JPEG-LS scan (ITU-T T.87 §9.1): most significant bit first; after a 0xFF
/// byte the encoder stuffs a 0 bit, so the next byte carries only its 7 low bits, and a byte after 0xFF
/// whose high bit is set begins a marker, which ends the coded segment.
///
/// At the marker (or the end of the data) the reader supplies zero bits; `overrun` says whether decoding
/// used any, which means the segment was shorter than its samples need.
struct JPEGLSBitReader {
    let data: [UInt8]
    private(set) var position: Int
    private var bits: UInt64 = 0
    private var count = 0
    private var padding = 0
    private var afterFF = false
    /// Where the marker that stopped loading starts (its 0xFF), when one was met.
    private(set) var markerAt: Int? = nil

    init(data: [UInt8], position: Int) {
        self.data = data
        self.position = position
    }

    /// Whether decoding has consumed bits past the end of the segment.
    var overrun: Bool { padding > count }

    private mutating func fill() {
        while count <= 48 {
            if markerAt == nil && position < data.count {
                let b = data[position]
                if afterFF {
                    if b & 0x80 != 0 {
                        markerAt = position - 1
                        continue
                    }
                    bits |= UInt64(b) << UInt64(57 - count)  // 7 bits
                    count += 7
                } else {
                    bits |= UInt64(b) << UInt64(56 - count)
                    count += 8
                }
                afterFF = b == 0xFF
                position += 1
            } else {
                if markerAt == nil { markerAt = data.count }
                padding += 8
                count += 8
            }
        }
    }

    /// Reads one bit.
    @inline(__always)
    mutating func bit() -> Int {
        if count < 1 { fill() }
        let v = Int(bits >> 63)
        bits <<= 1
        count -= 1
        return v
    }

    /// Reads `n` bits (0 ≤ n ≤ 32) as an unsigned number.
    @inline(__always)
    mutating func read(_ n: Int) -> Int {
        guard n > 0 else { return 0 }
        if count < n { fill() }
        let v = Int(truncatingIfNeeded: bits >> UInt64(64 - n))
        bits <<= UInt64(n)
        count -= n
        return v
    }

    /// Counts 0 bits up to the next 1 bit (consumed), stopping at `limit` zeros (the 1 then not consumed).
    @inline(__always)
    mutating func zeros(limit: Int) -> Int {
        var n = 0
        while n < limit {
            if count < 1 { fill() }
            let leading = min(bits.leadingZeroBitCount, count)
            if leading == 0 {
                bits <<= 1
                count -= 1
                return n
            }
            let run = min(leading, limit - n)
            n += run
            bits <<= UInt64(run)
            count -= run
        }
        return n
    }

    /// The marker after the coded segment: its code and the position just past it, or nil when the data
    /// ends first.
    func markerAfterSegment() -> (code: UInt8, next: Int)? {
        var at = markerAt ?? (afterFF ? position - 1 : position)
        while at + 1 < data.count {
            if data[at] == 0xFF && data[at + 1] & 0x80 != 0 {
                var next = at + 1
                while next < data.count && data[next] == 0xFF { next += 1 }
                guard next < data.count else { return nil }
                return (data[next], next + 1)
            }
            at += 1
        }
        return nil
    }
}
