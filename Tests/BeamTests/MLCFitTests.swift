import Foundation
import Testing
@testable import Beam

/// The MLC fit without transport: sweeping-gap readings made by a stand-in from known parameters must give them back.
@Suite struct MLCFitTests {
    static let gaps = [0.2, 0.4, 0.6, 1.0, 1.4, 2.0].map { MeasuredScans.SweepingGap(gapCM: $0, sweepCM: 12, ratio: 0) }

    /// A stand-in for the in-air prediction: the point sees the open beam while the effective gap g + DLG passes over it,
    /// the leaves' transmission otherwise (LoSasso et al. 1998), plus a small non-linear term in g that the analysis'
    /// straight line does not absorb, so the fit's loop has something to do.
    static func standIn(_ mlc: MachineModel.MultileafCollimator, _ gaps: [MeasuredScans.SweepingGap]) -> [Double] {
        gaps.map { g in
            let t = mlc.transmission
            return t + (1 - t) * (g.gapCM + 2 * mlc.leafEndOffsetCM + 0.01 * g.gapCM * g.gapCM) / g.sweepCM
        }
    }

    @Test func recoversTransmissionAndLeafEndOffset() throws {
        var known = GenericMachines.sixMV.mlc
        known.transmission = 0.017
        known.leafEndOffsetCM = 0.08
        let measured = zip(Self.gaps, Self.standIn(known, Self.gaps)).map {
            MeasuredScans.SweepingGap(gapCM: $0.gapCM, sweepCM: $0.sweepCM, ratio: $1)
        }
        let fit = try MLCFit(machine: GenericMachines.sixMV, closedLeafRatios: [0.0168, 0.0172], sweepingGaps: measured,
                             predictReadings: Self.standIn)
        #expect(abs(fit.machine.mlc.transmission - 0.017) < 1e-12)
        // The stand-in is linear in the offset: the first step lands on it, the second confirms it (the loop stops within
        // 0.001 cm of DLG, i.e. 0.0005 cm of offset).
        #expect(abs(fit.machine.mlc.leafEndOffsetCM - 0.08) < 0.0005, "offset \(fit.machine.mlc.leafEndOffsetCM)")
        #expect(fit.steps.count == 2)
        #expect(fit.steps.last!.rmsReadingDifference < 1e-5)
        // The measured DLG holds the stand-in's curvature too: 2 × 0.08 plus its line's intercept of 0.01 g².
        #expect(abs(fit.measuredLeafGapCM! - 0.16) < 0.01)
    }

    @Test func transmissionAloneLeavesTheOffset() throws {
        let fit = try MLCFit(machine: GenericMachines.sixMV, closedLeafRatios: [0.012], sweepingGaps: [], predictReadings: Self.standIn)
        #expect(fit.machine.mlc.transmission == 0.012 && fit.machine.mlc.leafEndOffsetCM == GenericMachines.sixMV.mlc.leafEndOffsetCM)
        #expect(fit.steps.isEmpty && fit.measuredLeafGapCM == nil)
    }

    @Test func needsReadingsAndTwoGaps() {
        #expect(throws: BeamError.self) {
            try MLCFit(machine: GenericMachines.sixMV, closedLeafRatios: [], sweepingGaps: [], predictReadings: Self.standIn)
        }
        let one = [MeasuredScans.SweepingGap(gapCM: 1, sweepCM: 12, ratio: 0.1), .init(gapCM: 1, sweepCM: 12, ratio: 0.1)]
        #expect(throws: BeamError.self) {
            try MLCFit(machine: GenericMachines.sixMV, closedLeafRatios: [], sweepingGaps: one, predictReadings: Self.standIn)
        }
    }
}
