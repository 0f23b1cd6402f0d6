import Analysis
import Foundation
import Geometry
import Testing

/// DVHs of analytic shapes in analytic dose fields against their exact values (AnalyticDVHCases.swift).
/// The dose grid and the fractional mask share one grid of the given spacing, the hardest case: the
/// mask then says only how much of each boundary voxel is inside. docs/dvh.md tabulates the errors.
@Suite struct DVHAnalyticTests {
    struct Errors: CustomStringConvertible {
        let d95Percent, meanPercent, v20PercentagePoints, d2Percent, d98Percent, volumePercent: Double
        var description: String {
            String(
                format: "D98 %+.2f %%, D95 %+.2f %%, D2 %+.2f %%, Dmean %+.2f %%, V20 %+.2f pp, volume %+.3f %%",
                d98Percent, d95Percent, d2Percent, meanPercent, v20PercentagePoints, volumePercent)
        }
    }

    static func errors(_ c: AnalyticDVHCase, spacingCM: Double) throws -> Errors {
        let grid = c.grid(spacingCM: spacingCM)
        let dvh = try DoseVolumeHistogram(dose: c.doseGrid(on: grid), structure: c.mask(on: grid))
        func percent(_ value: Double?, _ exact: Double) -> Double { 100 * ((value ?? .nan) / exact - 1) }
        let errors = Errors(
            d95Percent: percent(dvh.doseGy(hottestPercent: 95), c.exactDoseGy(hottestPercent: 95)),
            meanPercent: percent(dvh.meanDoseGy, c.exactMeanDoseGy),
            v20PercentagePoints: dvh.volumePercent(atOrAbove: 20) - 100 * c.exactFractionAtOrAbove(20),
            d2Percent: percent(dvh.doseGy(hottestPercent: 2), c.exactDoseGy(hottestPercent: 2)),
            d98Percent: percent(dvh.doseGy(hottestPercent: 98), c.exactDoseGy(hottestPercent: 98)),
            volumePercent: percent(dvh.volumeCM3, c.exactVolumeCM3))
        print("DVH \(spacingCM * 10) mm, \(c.name): \(errors)")
        return errors
    }

    /// The acceptance: at 2.5 mm, D95 and Dmean within 1 % and V20 within 1 % of volume.
    @Test(arguments: AnalyticDVHCase.all)
    func withinOnePercentAt2Point5MM(_ c: AnalyticDVHCase) throws {
        let e = try Self.errors(c, spacingCM: 0.25)
        #expect(abs(e.d95Percent) <= 1)
        #expect(abs(e.meanPercent) <= 1)
        #expect(abs(e.v20PercentagePoints) <= 1)
        // D2 and D98 are not in the acceptance; the bound is the measured worst case (docs/dvh.md) with
        // a margin, so that a regression shows.
        #expect(abs(e.d2Percent) <= 1.5)
        #expect(abs(e.d98Percent) <= 1.5)
        // The test masks are exact along z and sampled 16 × 16 in x and y: 0.05 % of volume.
        #expect(abs(e.volumePercent) <= 0.05)
    }

    /// At 3 mm the same bounds still hold (measured worst: docs/dvh.md).
    @Test(arguments: AnalyticDVHCase.all)
    func within1PercentAt3MM(_ c: AnalyticDVHCase) throws {
        let e = try Self.errors(c, spacingCM: 0.3)
        #expect(abs(e.d95Percent) <= 1)
        #expect(abs(e.meanPercent) <= 1)
        #expect(abs(e.v20PercentagePoints) <= 1)
    }

    /// At 5 mm the Gaussian's own sampling error dominates (the dose grid cannot hold its curvature):
    /// bounds are the measured worst cases of docs/dvh.md rounded up.
    @Test(arguments: AnalyticDVHCase.all)
    func boundedAt5MM(_ c: AnalyticDVHCase) throws {
        let e = try Self.errors(c, spacingCM: 0.5)
        #expect(abs(e.d95Percent) <= 1.5)
        #expect(abs(e.meanPercent) <= 2.5)
        #expect(abs(e.v20PercentagePoints) <= 1.5)
    }
}
