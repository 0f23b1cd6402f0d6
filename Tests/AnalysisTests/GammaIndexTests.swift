import Analysis
import Foundation
import Geometry
import Testing

/// Gamma against closed-form values: no difference, a pure dose offset in a flat field, and a shifted
/// linear ramp.
@Suite struct GammaIndexTests {
    let grid = VoxelGrid(counts: (24, 6, 6), originCM: Vec3(-3, -0.75, -0.75), spacingCM: Vec3(0.25, 0.25, 0.25))

    @Test func identicalDosesGiveZero() throws {
        let dose = try DoseGrid(grid: grid, field: { 2 * exp(-$0.dot($0) / 4) })
        let g = try GammaIndex(reference: dose, evaluated: dose)
        #expect(g.passRatePercent == 100)
        #expect(g.evaluatedValues.allSatisfy { $0 == 0 })
        // 10 % threshold: the points below 0.2 Gy are not evaluated.
        #expect(g.evaluatedCount == dose.doseGy.filter { $0 >= 0.2 }.count)
    }

    /// In a flat field the distance cannot help: γ = |ΔD| / ΔD_crit everywhere.
    @Test(arguments: [GammaOptions.Normalisation.global, .local])
    func doseOffsetInAFlatField(_ normalisation: GammaOptions.Normalisation) throws {
        let reference = try DoseGrid(grid: grid, field: { _ in 2 })
        let evaluated = try DoseGrid(grid: grid, field: { _ in 2.04 })
        let g = try GammaIndex(
            reference: reference, evaluated: evaluated,
            options: GammaOptions(doseDifferencePercent: 3, normalisation: normalisation))
        for value in g.evaluatedValues { #expect(abs(value - 0.04 / 0.06) < 1e-12) }
        let strict = try GammaIndex(
            reference: reference, evaluated: evaluated, options: GammaOptions(doseDifferencePercent: 1.5))
        #expect(strict.passRatePercent == 0)
        #expect(strict.histogram(binWidth: 0.1, upTo: 2)[13].count == grid.voxelCount)  // γ = 1.33
    }

    /// A ramp D = a + g·x shifted by s: γ² = s² / (DTA² + (ΔD/g)²) (minimising over the offset along x).
    @Test(arguments: [0.05, 0.15, 0.3])
    func shiftedRamp(shiftCM: Double) throws {
        let slope = 0.5  // Gy/cm
        let reference = try DoseGrid(grid: grid, field: { 2 + slope * $0.x })
        let evaluated = try DoseGrid(grid: grid, field: { 2 + slope * ($0.x - shiftCM) })
        let options = GammaOptions(doseDifferencePercent: 2, distanceToAgreementCM: 0.2, searchRadiusCM: 1)
        let g = try GammaIndex(reference: reference, evaluated: evaluated, options: options)
        let deltaD = 0.02 * reference.maxDoseGy
        let exact = shiftCM / (0.04 + pow(deltaD / slope, 2)).squareRoot()
        // The lattice minimum cannot beat the continuous one (trilinear interpolation is exact here), and
        // the lattice point nearest the minimiser along x is within half a step h/2 = 0.01 cm of it,
        // which adds at most (h/2)² (1/DTA² + g²/ΔD²) to γ².
        let upper = (exact * exact + 0.0001 * (1 / 0.04 + pow(slope / deltaD, 2))).squareRoot()
        // Points whose search reaches past the evaluated grid's x ends see a clamped dose; check the middle.
        for i in 6..<18 {
            let value = g.gamma[grid.index(i, 3, 3)]
            #expect(value >= exact - 1e-12 && value <= upper, "γ at x = \(grid.centerCM(i, 3, 3).x) cm")
        }
    }

    @Test func searchOffsetsAreSortedAndCoverTheBall() {
        let offsets = GammaIndexProbe.offsets(stepCM: 0.1, radiusCM: 0.3)
        #expect(offsets.first == 0)
        #expect(offsets == offsets.sorted())
        // Integer points with a² + b² + c² ≤ 9: 1 + 6 + 12 + 8 + 6 + 24 + 24 + 12 + 30 = 123.
        #expect(offsets.count == 123)
    }

    @Test func badOptionsAreRejected() throws {
        let dose = try DoseGrid(grid: grid, field: { _ in 1 })
        for options in [
            GammaOptions(doseDifferencePercent: 0), GammaOptions(distanceToAgreementCM: -1),
            GammaOptions(lowDoseThresholdPercent: 100), GammaOptions(interpolationFraction: 0),
            GammaOptions(distanceToAgreementCM: 0.3, searchRadiusCM: 0.2),
        ] {
            #expect(throws: AnalysisError.self) { try GammaIndex(reference: dose, evaluated: dose, options: options) }
        }
        let empty = try DoseGrid(grid: grid, field: { _ in 0 })
        #expect(throws: AnalysisError.self) { try GammaIndex(reference: empty, evaluated: dose) }
    }
}
