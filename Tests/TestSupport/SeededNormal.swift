import Foundation
import Physics

/// A seeded stream of standard normal deviates, so that the noise a test adds is reproducible: two SplitMix64
/// uniforms per deviate through Box–Muller (Box & Muller 1958, the cosine branch).
public struct SeededNormal {
    private var uniform: SplitMix64

    public init(seed: UInt64) { uniform = SplitMix64(seed: seed) }

    /// The next standard normal deviate.
    public mutating func next() -> Double {
        (-2 * log(uniform.nextUniform())).squareRoot() * cos(2 * Double.pi * uniform.nextUniform())
    }
}
