/// A peer of the coordinator's ROUTER socket: the routing id ZeroMQ prefixes to its messages.
public struct PeerID: Hashable, Sendable, CustomStringConvertible {
    /// The routing id bytes (1–255).
    public let bytes: [UInt8]

    /// Wraps a routing id.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Hexadecimal, for logs.
    public var description: String { bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined() }
}
