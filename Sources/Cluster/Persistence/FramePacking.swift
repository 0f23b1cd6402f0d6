/// A frame list as one byte string (`UInt32` length before each frame), for storing wire messages
/// in one SQLite column or file (and as the wire fuzzer's input format).
public enum FramePacking {
    /// The frames, each after its length.
    public static func pack(_ frames: [[UInt8]]) -> [UInt8] {
        var writer = ByteWriter(capacity: frames.reduce(0) { $0 + 4 + $1.count })
        for frame in frames { writer.write(lengthPrefixed: frame) }
        return writer.bytes
    }

    /// The frames of a packed string.
    /// - Throws: `WireError` when a length runs past the end or over the frame limit.
    public static func unpack(_ bytes: [UInt8]) throws(WireError) -> [[UInt8]] {
        var reader = ByteReader(bytes, context: "stored message")
        var frames: [[UInt8]] = []
        while reader.remaining > 0 {
            frames.append(try reader.readLengthPrefixed("frame", limit: WireLimits.maximumFrameBytes))
        }
        return frames
    }
}
