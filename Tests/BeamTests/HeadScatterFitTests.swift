import Foundation
import Physics
import Testing
@testable import Beam

@Suite struct HeadScatterFitTests {
    /// Synthetic output factors: a phantom-scatter curve S_p times the in-air ratio of a "true" head-scatter
    /// source; the "simulation" is the same S_p times the starting machine's S_c. The fit must find the true source.
    @Test func recoversAKnownExtraFocalWeightAndWidth() throws {
        let physics = try PhysicsData.bundled()
        let startModel = try SourceModel(machine: GenericMachines.sixMV, physics: physics)
        var truth = GenericMachines.sixMV
        truth.extraFocalSource.weight = 0.11
        truth.extraFocalSource.sigmaCM = 2.4
        let trueRatio = InAirOutputRatio(model: try SourceModel(machine: truth, physics: physics))
        let startRatio = InAirOutputRatio(model: startModel)
        let fields: [Double] = [2, 3, 4, 6, 10, 20, 30, 40]
        func sp(_ f: Double) -> Double { 1 + 0.12 * log(f / 10) - 0.01 * log(f / 10) * log(f / 10) }
        let measured = fields.map { CommissioningTarget.OutputFactor(fieldCM: $0, value: sp($0) * trueRatio.ratio(fieldCM: $0)) }
        let simulated = Dictionary(uniqueKeysWithValues: fields.map { ($0, sp($0) * startRatio.ratio(fieldCM: $0)) })
        let fit = try HeadScatterFit(model: startModel, measured: measured, simulated: simulated)
        // The grid is refined to a few 1e-4 in w and 1e-3 cm in σ; noise-free data leave only that.
        #expect(abs(fit.machine.extraFocalSource.weight - 0.11) < 0.003, "w \(fit.machine.extraFocalSource.weight)")
        #expect(abs(fit.machine.extraFocalSource.sigmaCM - 2.4) < 0.05, "σ \(fit.machine.extraFocalSource.sigmaCM)")
        #expect(fit.rmsLogDifference < 1e-3)
        #expect(fit.fields.allSatisfy { abs($0.predicted / $0.measured - 1) < 1e-3 })
        // Source weights are fractions of proposals: the extra-focal share comes out of the primary's, and much
        // of a wide extra-focal source is hidden from the 10×10 axis, so fewer photons reach the reference point
        // per proposal and one MU needs more proposals, in the ratio of the axis energy fluences.
        let phi0 = try #require(GenericMachines.sixMV.calibration.proposalsPerCM2PerMU)
        let square = InAirOutputRatio.square(10)
        let expected = phi0 * startRatio.axisEnergyFluence(square) / trueRatio.axisEnergyFluence(square)
        #expect(abs(try #require(fit.machine.calibration.proposalsPerCM2PerMU) / expected - 1) < 0.002)
        #expect(expected > phi0)
    }

    @Test func needsTwoFieldsBesidesTheReference() throws {
        let model = try SourceModel(machine: GenericMachines.sixMV, physics: try PhysicsData.bundled())
        #expect(throws: BeamError.self) {
            try HeadScatterFit(model: model, measured: [.init(fieldCM: 10, value: 1), .init(fieldCM: 5, value: 0.95)],
                               simulated: [10: 1, 5: 0.94])
        }
        #expect(throws: BeamError.self) {
            try HeadScatterFit(model: model, measured: [.init(fieldCM: 20, value: 1.05), .init(fieldCM: 5, value: 0.95)],
                               simulated: [20: 1.04])
        }
    }
}
