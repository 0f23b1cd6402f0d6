/// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014):
/// a tiny counter-like generator, here only for the synthetic workload.
public struct SplitMix64: Sendable {
    private var state: UInt64

    /// A stream for one history, keyed by (seed, history index) only, so that a history deposits the
    /// same energy whichever unit, worker or thread runs it.
    public init(seed: UInt64, history: UInt64) {
        state = Self.mix(seed ^ Self.mix(history &+ 0x632B_E59B_D9B4_E019))
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// A value in `0..<bound` (bound ≤ 2³²; the modulo bias is below 2⁻³², irrelevant here).
    public mutating func next(below bound: UInt64) -> UInt64 { (next() >> 32) % bound }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
