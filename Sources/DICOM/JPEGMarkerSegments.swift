/// Walks the marker segments of a JPEG-family stream (ITU-T T.81 §B.1.1.2–B.1.1.4; JPEG-LS uses the same
/// syntax, T.87 §C.1): the stream starts with SOI (FF D8); each marker is 0xFF and a code, possibly after
/// 0xFF fill bytes; a segment's marker is followed by a 2-byte big-endian length that counts itself.
struct JPEGMarkerSegments {
    typealias Failure = EncapsulatedPixelDataDecoder.Failure

    let data: [UInt8]
    /// The next byte to read.
    var position = 2

    /// Starts after the SOI marker.
    /// - Parameter format: the stream's name for messages (e.g. "JPEG-LS").
    init(_ data: [UInt8], format: String) throws(Failure) {
        guard data.count >= 4, data[0] == 0xFF, data[1] == 0xD8 else {
            throw Failure("the frame does not start with a \(format) Start of Image marker (FF D8)")
        }
        self.data = data
    }

    /// Reads the next marker: its code and where its 0xFF is.
    mutating func nextMarker() throws(Failure) -> (code: UInt8, at: Int) {
        guard position + 1 < data.count, data[position] == 0xFF else {
            throw Failure("expected a marker at byte \(position) of the stream")
        }
        while position + 1 < data.count && data[position + 1] == 0xFF { position += 1 }
        guard position + 1 < data.count else { throw Failure("the stream ends inside a marker") }
        let found = (data[position + 1], position)
        position += 2
        return found
    }

    /// The payload of the segment whose marker was just read; moves past the segment.
    mutating func segment() throws(Failure) -> Range<Int> {
        guard position + 2 <= data.count else { throw Failure("the stream ends inside a marker segment's length") }
        let length = uint16(at: position)
        guard length >= 2, position + length <= data.count else {
            throw Failure("a marker segment at byte \(position - 2) declares \(length) bytes, past the end of the stream")
        }
        defer { position += length }
        return (position + 2)..<(position + length)
    }

    /// The big-endian 16-bit number at a position.
    func uint16(at index: Int) -> Int { Int(data[index]) << 8 | Int(data[index + 1]) }
}
