/// A source of uniform random numbers in the open interval (0, 1).
///
/// Every sampler in `Physics` takes its random numbers from one of these, explicitly and `inout`, and
/// draws a fixed number of them per call (documented on each sampler), so that a counter-based stream
/// (Transport's Philox) stays reproducible and SIMD lanes stay in step.
public protocol UniformRandomSource {
    /// The next uniform number, strictly between 0 and 1.
    mutating func nextUniform() -> Double
}

/// SplitMix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators", OOPSLA):
/// a small seeded generator for tests and tools. Transport uses its own counter-based streams.
public struct SplitMix64: UniformRandomSource, Sendable {
    private var state: UInt64

    /// Creates a generator whose sequence depends only on `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform number in (0, 1): the top 53 bits, offset by half a step so 0 never occurs.
    public mutating func nextUniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1p-53
    }
}
