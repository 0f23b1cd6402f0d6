/// Decodes one frame of DICOM RLE Lossless (transfer syntax 1.2.840.10008.1.2.5, PS3.5 Annex G).
///
/// A frame is a 64-byte header — the number of segments and 15 segment offsets, all 32-bit little
/// endian (§G.5) — and the segments. Each segment is one byte plane of one sample, PackBits coded
/// (§G.3.1): a header byte n of 0…127 copies the next n + 1 bytes, −1…−127 repeats the next byte
/// −n + 1 times, −128 does nothing. Segments are ordered by sample, and within a sample from the most
/// to the least significant byte (§G.2: "Byte Segment 1 … most significant byte"), so a 16-bit image has
/// two segments (high bytes, then low bytes) and an 8-bit image one. A segment may end with one padding
/// byte past the plane (§G.5, even segment lengths).
enum RLELosslessDecoder {
    /// Decodes a frame to native little-endian pixels (samples interleaved per pixel).
    /// - Parameters:
    ///   - data: the frame (one fragment, PS3.5 §A.4.2).
    ///   - pixels: Rows × Columns.
    ///   - bytesPerSample: Bits Allocated / 8.
    ///   - samplesPerPixel: Samples per Pixel.
    /// - Throws: `EncapsulatedPixelDataDecoder.Failure` for a damaged frame.
    static func decode(_ data: [UInt8], pixels: Int, bytesPerSample: Int, samplesPerPixel: Int) throws(
        EncapsulatedPixelDataDecoder.Failure
    ) -> [UInt8] {
        guard data.count >= 64 else {
            throw .init("the RLE frame has \(data.count) bytes, less than its 64-byte header (PS3.5 §G.5)")
        }
        func uint32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(data[at + $1]) << (8 * $1) } }
        let segments = uint32(0)
        let expected = bytesPerSample * samplesPerPixel
        guard segments == expected else {
            throw .init(
                "the RLE header announces \(segments) segments; \(samplesPerPixel) sample(s) of \(8 * bytesPerSample) bits need \(expected) (PS3.5 §G.2)")
        }
        let offsets = (0..<segments).map { uint32(4 + 4 * $0) }
        guard offsets[0] == 64, zip(offsets.dropFirst(), offsets).allSatisfy({ $0 > $1 }), offsets.last! < data.count
        else {
            throw .init(
                "the RLE segment offsets \(offsets) are not increasing from 64 within the frame's \(data.count) bytes (PS3.5 §G.5)")
        }
        let stride = expected
        var out = [UInt8](repeating: 0, count: pixels * stride)
        try out.withUnsafeMutableBufferPointer { (out) throws(EncapsulatedPixelDataDecoder.Failure) in
            try data.withUnsafeBufferPointer { (data) throws(EncapsulatedPixelDataDecoder.Failure) in
                try decodeSegments(data, offsets: offsets, into: out, pixels: pixels, bytesPerSample: bytesPerSample)
            }
        }
        return out
    }

    /// PackBits-decodes each segment into its byte lane of the output.
    private static func decodeSegments(
        _ data: UnsafeBufferPointer<UInt8>, offsets: [Int], into out: UnsafeMutableBufferPointer<UInt8>, pixels: Int,
        bytesPerSample: Int
    ) throws(EncapsulatedPixelDataDecoder.Failure) {
        let segments = offsets.count, stride = out.count / max(1, pixels)
        for (n, start) in offsets.enumerated() {
            let end = n + 1 < segments ? offsets[n + 1] : data.count
            // Segment n: sample n / bytesPerSample, byte (bytesPerSample − 1 − n % bytesPerSample) of it, little endian.
            let lane = (n / bytesPerSample) * bytesPerSample + (bytesPerSample - 1 - n % bytesPerSample)
            var at = start
            var written = 0
            while written < pixels {
                guard at < end else {
                    throw .init(
                        "RLE segment \(n + 1) of \(segments) decodes to \(written) bytes; the image needs \(pixels): the frame is truncated or corrupt")
                }
                let header = Int(Int8(bitPattern: data[at]))
                at += 1
                if header >= 0 {
                    let run = header + 1
                    guard at + run <= end, written + run <= pixels else {
                        throw .init(
                            "a literal run of \(run) bytes in RLE segment \(n + 1) runs past the end of the segment or the image: the frame is truncated or corrupt")
                    }
                    for k in 0..<run { out[(written + k) * stride + lane] = data[at + k] }
                    at += run
                    written += run
                } else if header != -128 {
                    let run = -header + 1
                    guard at < end, written + run <= pixels else {
                        throw .init(
                            "a replicate run of \(run) bytes in RLE segment \(n + 1) runs past the end of the segment or the image: the frame is truncated or corrupt")
                    }
                    let byte = data[at]
                    for k in 0..<run { out[(written + k) * stride + lane] = byte }
                    at += 1
                    written += run
                }
            }
        }
    }
}
