import Foundation
import Physics
import Testing
import TestSupport
import Transport
@testable import Beam

/// The analytic side of commissioning (fast, debug): penetration of the generated spectra against the
/// EGSnrc reference depth dose of the Mohan 6 MV spectrum, and the filter solver.
@Suite struct BeamQualityTests {
    /// PDD(10) of the Mohan 6 MV spectrum, 10×10 at SSD 100 (DOSXYZnrc, 12.5 M histories, 3×3 voxel axis average,
    /// 0.3 % per point): the calibration point of the primary-ratio predictor.
    static func mohan6PDD10Percent() throws -> Double {
        let text = try String(contentsOf: TestEnvironment.reference("water-6mv-10x10/DOSXYZnrc_R1_12.5M_pdd.csv"), encoding: .utf8)
        let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
        let maximum = rows.map { $0[3] }.max()!
        let a = rows.first { abs($0[0] - 9.75) < 1e-6 }!, b = rows.first { abs($0[0] - 10.25) < 1e-6 }!
        return 100 * 0.5 * (a[3] + b[3]) / maximum
    }

    /// Monte Carlo PDD(10) of the 10×10 reference field over the primary-ratio prediction, per machine, from the
    /// commissioning runs in docs/beam-model.md.
    /// generic-6x: 66.62 ± 0.24 % (filtration 31.86 g/cm², head scatter w 0.0862, σ 0.936 cm: an 80 M and a 32 M run of the
    /// reference field, weighted by their batch σ; docs/beam-model.md, "Head-scatter refit adopted") / 66.96 %;
    /// generic-10x: 73.66 ± 0.23 % (filtration 61.5 g/cm²: two check runs pooled, 176 M reference proposals; docs/beam-model.md,
    /// "generic-10x's filtration") / 74.69 %; generic-6fff:
    /// 63.82 ± 0.24 % (filtration 13.35 g/cm² and the off-axis table refitted with 64 M kernels: the refit's 64 M field and a
    /// 128 M check pooled, docs/beam-model.md, "generic-6fff's off-axis table refitted") / 62.80 % (62.45 % at 12 g/cm² × the
    /// primary ratio's rise, 0.6018 / 0.5985).
    static let monteCarloOverPredicted = ["generic-6x": 0.995, "generic-10x": 0.9863, "generic-6fff": 1.016]

    @Test(arguments: CommissioningTarget.all)
    func generatedSpectrumPenetratesLikeItsTarget(_ target: CommissioningTarget) throws {
        let physics = try PhysicsData.bundled()
        let quality = try BeamQuality(physics: physics)
        let mohan6 = try quality.primaryRatio(PhotonSpectrum.read(TestEnvironment.reference("spectra/mohan6.spectrum")))
        let machine = try #require(GenericMachines.named(target.machine))
        let predicted = try Self.mohan6PDD10Percent() * quality.primaryRatio(of: machine, physics: physics) / mohan6
        // PDD(10) scales with the primary ratio between spectra (docs/beam-model.md, "Commissioning"). The full
        // model's Monte Carlo PDD(10) is `monteCarloOverPredicted` times this prediction (measured at commissioning:
        // the extra-focal source, contaminant electrons and off-axis softening); with it, the prediction must meet
        // the target within the 1 %. A change to the spectrum model or the machines' parameters fails here
        // first, before the slow validation (BeamValidationTests) would.
        let corrected = Self.monteCarloOverPredicted[target.machine]! * predicted
        #expect(abs(corrected / target.pdd10Percent - 1) < 0.01, "\(target.machine): predicted PDD(10) \(corrected) %")
    }

    @Test func filterSolverRecoversAKnownFiltration() throws {
        let physics = try PhysicsData.bundled()
        let quality = try BeamQuality(physics: physics)
        var known = GenericMachines.sixMV
        known.spectrum.filterCentralGPerCM2 = 22
        known.spectrum.filterEdgeGPerCM2 = 12
        let target = try quality.primaryRatio(of: known, physics: physics)
        var start = known
        start.spectrum.filterCentralGPerCM2 = 5
        start.spectrum.filterEdgeGPerCM2 = 0
        let solved = try quality.withFilter(start, primaryRatio: target, physics: physics)
        // Bisection to 150/2⁴⁰ g/cm²; 0.01 g/cm² leaves room for the ratio's rounding.
        #expect(abs(solved.spectrum.filterCentralGPerCM2 - 22) < 0.01)
        #expect(abs(solved.spectrum.filterEdgeGPerCM2 - 17) < 0.01)  // the start's centre-to-edge drop, 5 g/cm², kept
        #expect(throws: BeamError.self) { try quality.withFilter(start, primaryRatio: 0.99, physics: physics) }
    }
}
