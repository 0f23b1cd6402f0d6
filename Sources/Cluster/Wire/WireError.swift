/// Why a frame list could not be decoded (or a message could not be encoded). The coordinator
/// answers such a frame with an error reply or a DISCONNECT, logs it, and keeps serving.
public enum WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the layout needs.
    case truncated(what: String, needed: Int, available: Int)
    /// A frame, field or message larger than `WireLimits` allows.
    case tooLarge(what: String, bytes: Int, limit: Int)
    /// Not a Penumbra message: the first frame does not start with the magic `PNBR`.
    case badMagic
    /// A protocol version this side does not speak.
    case unsupportedVersion(found: UInt16, supported: UInt16)
    /// A message kind this version does not define.
    case unknownKind(UInt16)
    /// A field holds a value outside its domain.
    case malformed(what: String, reason: String)
    /// The message has the wrong number of frames.
    case frameCount(kind: String, found: Int, expected: String)

    public var description: String {
        switch self {
        case let .truncated(what, needed, available):
            "truncated frame: \(what) needs \(needed) bytes, only \(available) left; the sender and receiver disagree on the layout"
        case let .tooLarge(what, bytes, limit):
            "\(what) is \(bytes) bytes, over the limit of \(limit); split the work into smaller units"
        case .badMagic:
            "not a Penumbra message (first frame does not start with 'PNBR'); is something else talking to this port?"
        case let .unsupportedVersion(found, supported):
            "protocol version \(found) is not supported (this side speaks version \(supported)); run the same Penumbra release on coordinator and workers"
        case let .unknownKind(kind):
            "unknown message kind \(kind)"
        case let .malformed(what, reason):
            "malformed \(what): \(reason)"
        case let .frameCount(kind, found, expected):
            "\(kind) has \(found) frames, expected \(expected)"
        }
    }
}
