import Physics

/// A reproducible stream of uniform random numbers for one particle: Philox4x32-10 in counter mode.
///
/// The key is the user's 64-bit seed. The counter is (draw block, stream id, history index low, high):
/// every primary history owns the stream family of its index, so results do not depend on which thread
/// or worker runs it (DESIGN.md invariant 1). A secondary's stream is derived from its parent's by
/// `spawn()`, which depends only on the parent's id and how many children it spawned before, never on
/// scheduling.
public struct RandomStream: Sendable {
    let key: SIMD2<UInt32>
    let historyLow: UInt32
    let historyHigh: UInt32
    /// This stream's id within its history (0 for the primary).
    public let streamID: UInt32
    var block: UInt32 = 0
    var buffer = SIMD4<UInt32>(repeating: 0)
    var used = 4
    var children: UInt32 = 0

    /// The stream of primary history `history` under `seed`.
    public init(seed: UInt64, history: UInt64) {
        self.init(key: SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)),
                  historyLow: UInt32(truncatingIfNeeded: history), historyHigh: UInt32(truncatingIfNeeded: history >> 32),
                  streamID: 0)
    }

    init(key: SIMD2<UInt32>, historyLow: UInt32, historyHigh: UInt32, streamID: UInt32) {
        self.key = key
        self.historyLow = historyLow
        self.historyHigh = historyHigh
        self.streamID = streamID
    }

    /// The next 32 random bits.

    public mutating func nextUInt32() -> UInt32 {
        if used == 4 {
            buffer = Philox4x32.block(SIMD4(block, streamID, historyLow, historyHigh), key: key)
            block &+= 1
            used = 0
        }
        defer { used += 1 }
        return buffer[used]
    }

    /// A uniform number in the open interval (0, 1): 32 random bits plus half a step, so that
    /// `log(u)` and `log(1 − u)` are always finite (PHYSICS.md §6).

    public mutating func uniform() -> Double {
        (Double(nextUInt32()) + 0.5) * 0x1p-32
    }

    /// A new stream for a secondary particle of this one.
    ///
    /// The child's id mixes the parent's id and its spawn number through one Philox block with the
    /// counter's history words inverted (a domain no draw uses), so ids look independent; a collision of
    /// two 32-bit ids inside one history would only correlate two particles, never bias a mean.

    public mutating func spawn() -> RandomStream {
        let mixed = Philox4x32.block(SIMD4(children, streamID, ~historyLow, ~historyHigh), key: key)
        children &+= 1
        return RandomStream(key: key, historyLow: historyLow, historyHigh: historyHigh, streamID: mixed.x | 1)
    }
}

extension RandomStream: UniformRandomSource {
    /// A uniform number in (0, 1) for the `Physics` samplers.
    public mutating func nextUniform() -> Double { uniform() }
}
