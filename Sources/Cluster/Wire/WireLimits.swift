/// The sizes the wire refuses to exceed, so that a broken or hostile peer cannot make either side
/// allocate without bound. The ZeroMQ loops also set `ZMQ_MAXMSGSIZE` to `maximumFrameBytes` (libzmq
/// applies it per frame), so an oversized frame is dropped before it is ever read.
public enum WireLimits {
    /// The current protocol version: byte 4–5 of every message's first frame.
    public static let protocolVersion: UInt16 = 5
    /// The largest frame, in bytes (64 MiB: a whole 256³ slab of Σ and Σ² fits several times).
    public static let maximumFrameBytes = 64 << 20
    /// The most frames in one message (one per slab, plus the header).
    public static let maximumFrames = 4_097
    /// The longest string field (reasons, workload names), in bytes.
    public static let maximumStringBytes = 4_096
    /// The most content-addressed inputs one job may name.
    public static let maximumInputs = 64
    /// The longest opaque parameter block of a job, in bytes.
    public static let maximumParameterBytes = 1 << 20
    /// The most incoming bank blobs one decomposed unit may name.
    public static let maximumBanks = 1_024
}
