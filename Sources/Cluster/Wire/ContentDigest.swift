import Crypto

/// The SHA-256 of a content-addressed input (a phantom, a plan): its name on the wire and in caches.
public struct ContentDigest: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Wraps 32 digest bytes.
    /// - Throws: `WireError.malformed` unless there are exactly 32 bytes.
    public init(bytes: [UInt8]) throws(WireError) {
        guard bytes.count == 32 else {
            throw .malformed(what: "content digest", reason: "\(bytes.count) bytes, a SHA-256 has 32")
        }
        self.bytes = bytes
    }

    /// The SHA-256 of `data`.
    public init(of data: [UInt8]) {
        self.bytes = Array(SHA256.hash(data: data))
    }

    /// Lower-case hexadecimal, as in file names and logs.
    public var description: String { bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined() }

    public static func < (a: ContentDigest, b: ContentDigest) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
