import Foundation
import Testing
@testable import Beam

/// The profile targets' bookkeeping and arithmetic (debug, no transport): the Monte Carlo check against them is
/// `BeamValidationTests.genericMachineProfilesMeetTheirPublishedShape` (`make validate-beam`), because a 10×10 field's
/// unflatness is still good to only ≈ 2 % at 24 M proposals (docs/beam-model.md, "Profile targets").
@Suite struct ProfileTargetTests {
    @Test func offAxisPointIsEightyPercentOfTheProjectedHalfWidth() throws {
        let target = try #require(ProfileTarget.forMachine("generic-10x").first { $0.fieldCM == 10 })
        // 10×10 at SSD 100: the field is 11 cm wide at 10 cm depth and 10.23 cm at 2.3 cm; 80 % of the half widths.
        #expect(abs(target.offAxisCM(depthCM: 10) - 4.4) < 1e-12)
        #expect(abs(target.offAxisCM(depthCM: 2.3) - 4.092) < 1e-12)
    }

    @Test func aConeProfileGivesItsAnalyticUnflatness() throws {
        // A 10 cm field blurred at its edges (BeamProfileTests.profile, 50 % points at ±5 cm on 0.2 cm voxels) times
        // a Gaussian cone exp(−(x/10)²). Read at ±0.8 × 5 × 101.4/100 = ±4.056 cm (depth 1.4 cm), the central over
        // the off-axis dose is exp((4.056/10)²) = 1.1789. The blurred edge 0.94 cm further out, spread by the three-point
        // smoothing, lowers the off-axis dose by ≈ 0.3 % (the smoothed erf factors at 4.0 and 4.2 cm are 0.997 and 0.982),
        // the central average over |x| ≤ 0.5 cm the central dose by 0.08 %: ≈ +0.3 % in all, so within 0.4 %.
        let profile = BeamProfileTests.profile { exp(-($0 / 10) * ($0 / 10)) }
        let expected = exp((4.056 / 10) * (4.056 / 10))
        let target = ProfileTarget(machine: "test", fieldCM: 10, points: [.init(depthCM: 1.4, unflatness: expected)],
                                   source: "analytic")
        let c = try #require(target.compare(profiles: [(depthCM: 1.4, profile: profile)]).first ?? nil)
        #expect(abs(c.simulated / expected - 1) < 0.004, "\(c.simulated) vs \(expected)")
        #expect(c.passes)
        // 3 % away from the profile's own shape is outside the 2 % tolerance.
        let far = ProfileTarget(machine: "test", fieldCM: 10, points: [.init(depthCM: 1.4, unflatness: expected * 1.03)],
                                source: "analytic")
        #expect(try #require(far.compare(profiles: [(depthCM: 1.4, profile: profile)]).first ?? nil).passes == false)
    }

    @Test func aDepthWithoutProfileOrAPointOutsideItGivesNoComparison() throws {
        let profile = BeamProfileTests.profile { _ in 1 }  // ±8 cm
        let narrow = ProfileTarget(machine: "test", fieldCM: 10, points: [.init(depthCM: 10, unflatness: 1)], source: "")
        #expect(narrow.compare(profiles: [(depthCM: 5, profile: profile)]).allSatisfy { $0 == nil })
        let wide = ProfileTarget(machine: "test", fieldCM: 30, points: [.init(depthCM: 10, unflatness: 1)], source: "")
        #expect(wide.compare(profiles: [(depthCM: 10, profile: profile)]).first! == nil)  // ±13.2 cm lies outside
    }

    @Test func everyTargetBelongsToAGenericMachineAndIsPhysical() throws {
        for target in ProfileTarget.all {
            let machine = try #require(GenericMachines.named(target.machine), "\(target.machine)")
            #expect(target.fieldCM >= 2 && target.fieldCM <= 2 * machine.jaws.maximumOpeningCM)
            #expect(!target.source.isEmpty && !target.points.isEmpty)
            for point in target.points {
                #expect(point.depthCM > 0 && point.depthCM < 30)
                // An FFF beam is peaked on the axis (unflatness above 1); a flattened one lies within ±10 % of flat.
                #expect(machine.flatteningFilterFree ? point.unflatness > 1 : abs(point.unflatness - 1) < 0.1)
            }
        }
        // The FFF and the 10 MV machine have published shapes; generic-6x has none (docs/beam-model.md).
        #expect(!ProfileTarget.forMachine("generic-6fff").isEmpty && !ProfileTarget.forMachine("generic-10x").isEmpty)
        #expect(ProfileTarget.forMachine("generic-6x").isEmpty)
    }
}
