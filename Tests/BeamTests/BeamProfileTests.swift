import Foundation
import Testing
@testable import Beam

@Suite struct BeamProfileTests {
    /// A 10 cm field whose edges are a Gaussian (σ 0.3 cm) blur of a step, sampled on 0.2 cm voxels, times
    /// `shape` (horns or an FFF cone).
    static func profile(_ shape: (Double) -> Double) -> BeamProfile {
        let x = (-40...40).map { 0.2 * Double($0) }
        let s = 0.3 * 2.0.squareRoot()
        return BeamProfile(positionCM: x, dose: x.map { 0.5 * (erf((5 - $0) / s) + erf((5 + $0) / s)) * shape($0) })
    }

    @Test func edgesAndPenumbraOfABlurredStep() throws {
        let p = Self.profile { _ in 1 }
        // 80 %–20 % of a Gaussian-blurred edge: 2 × 0.8416 σ = 0.505 cm; the 50 % points at ±5 cm. The cubic
        // through 0.2 cm voxels is good to a few 0.001 cm here (linear interpolation gives 0.530 cm).
        #expect(abs(try #require(p.fieldWidthCM) - 10) < 0.01)
        let penumbra = try #require(p.penumbraCM)
        #expect(abs(penumbra - 0.505) < 0.01, "\(penumbra)")
        #expect(try #require(p.flatnessPercent) < 0.1)  // the smoothed erf tails reach 0.07 % at ±4 cm
        #expect(abs(try #require(p.unflatness) - 1) < 0.003)  // the smoothed edge tail at ±4 cm: ≈ 0.15 %
    }

    @Test func hornsAndUnflatness() throws {
        let horned = Self.profile { 1 + 0.03 * ($0 / 5) * ($0 / 5) }
        // Largest dose of the central 80 % at |x| = 4 cm: 1 + 0.03 × 0.64 = 1.0192, less the edge's 0.05 % there.
        #expect(abs(try #require(horned.hornRatio) - 1.0192) < 0.002)
        let cone = Self.profile { exp(-($0 / 10) * ($0 / 10)) }
        // Central over the dose at 80 % of the half width: the cone pulls the 50 % points in to ≈ ±4.89 cm, so
        // the ratio is e^{(0.8 × 4.89 / 10)²} ≈ 1.166 (e^{0.16} = 1.174 for edges at ±5 cm).
        #expect(abs(try #require(cone.unflatness) - 1.166) < 0.004)
    }

    @Test func aProfileWithoutEdgesHasNoWidth() {
        let flat = BeamProfile(positionCM: [-1, 0, 1], dose: [1, 1, 1])
        #expect(flat.fieldWidthCM == nil)
        #expect(flat.penumbraCM == nil)
    }
}
