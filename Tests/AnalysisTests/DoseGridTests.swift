import Analysis
import Foundation
import Geometry
import Testing

@Suite struct DoseGridTests {
    let grid = VoxelGrid(counts: (5, 4, 3), originCM: Vec3(-1, 2, 0.5), spacingCM: Vec3(0.5, 0.25, 1))

    func linear(_ p: Vec3) -> Double { 10 + 2 * p.x - 3 * p.y + 0.5 * p.z + 20 }

    @Test func trilinearReproducesALinearFieldInsideTheCentres() throws {
        let dose = try DoseGrid(grid: grid, field: linear)
        for p in [Vec3(-0.6, 2.2, 1.1), Vec3(0.9, 2.8, 2.9), Vec3(0.123, 2.5, 2)] {
            let d = try #require(dose.interpolatedDoseGy(at: p))
            // Trilinear interpolation is exact for linear fields: round-off only.
            #expect(abs(d - linear(p)) < 1e-12)
            let (d2, g) = try #require(dose.interpolatedDoseAndGradient(at: p))
            #expect(abs(d2 - d) < 1e-12)
            #expect((g - Vec3(2, -3, 0.5)).length < 1e-12)
        }
    }

    @Test func holdsTheEdgeValueInTheOuterHalfVoxelAndIsNilOutside() throws {
        let dose = try DoseGrid(grid: grid, field: linear)
        // x = −0.9 lies between the face (−1) and the first centre (−0.75): held at x = −0.75.
        let held = try #require(dose.interpolatedDoseGy(at: Vec3(-0.9, 2.5, 1.5)))
        #expect(abs(held - linear(Vec3(-0.75, 2.5, 1.5))) < 1e-12)
        let (_, g) = try #require(dose.interpolatedDoseAndGradient(at: Vec3(-0.9, 2.5, 1.5)))
        #expect(g.x == 0)
        #expect(dose.interpolatedDoseGy(at: Vec3(-1.01, 2.5, 1.5)) == nil)
        #expect(dose.interpolatedDoseGy(at: Vec3(0, 2.5, 3.51)) == nil)
    }

    @Test func profileSamplesTheLine() throws {
        let dose = try DoseGrid(grid: grid, field: linear)
        let line = try dose.profile(from: Vec3(-0.75, 2.5, 1), to: Vec3(1.25, 2.5, 1), stepCM: 0.5)
        #expect(line.count == 5)
        #expect(abs(line[4].distanceCM - 2) < 1e-12)
        for sample in line { #expect(abs((sample.doseGy ?? .nan) - linear(sample.pointCM)) < 1e-12) }
        let outside = try dose.profile(from: Vec3(0, 2.5, 1), to: Vec3(3, 2.5, 1), count: 4)
        #expect(outside.last?.doseGy == nil)
        #expect(throws: AnalysisError.self) { try dose.profile(from: .zero, to: .zero, count: 3) }
    }

    @Test func rejectsNegativeDoseAndWrongLengths() {
        #expect(throws: AnalysisError.self) { try DoseGrid(grid: grid, doseGy: [1, 2]) }
        var values = [Double](repeating: 1, count: grid.voxelCount)
        values[7] = -0.1
        #expect(throws: AnalysisError.badVoxelValue(name: "dose", voxel: 7, value: -0.1, allowed: "finite and ≥ 0 Gy")) {
            try DoseGrid(grid: grid, doseGy: values)
        }
        values[7] = .nan
        #expect(throws: AnalysisError.self) { try DoseGrid(grid: grid, doseGy: values) }
    }

    @Test func meanUncertaintyOverTheHighDoseRegion() throws {
        // Doses 0…59 Gy; voxels at ≥ 50 % of 59 Gy (29.5 Gy) are 30…59 and carry 1 % or 3 %.
        let dose = (0..<60).map { Double($0) }
        let sigma = (0..<60).map { $0 < 30 ? 0.5 : ($0 % 2 == 0 ? 0.01 : 0.03) }
        let d = try DoseGrid(grid: grid, doseGy: dose, relativeUncertainty: sigma)
        let mean = try #require(d.meanRelativeUncertainty(aboveFractionOfMax: 0.5))
        #expect(abs(mean - 0.02) < 1e-15)
        #expect(try DoseGrid(grid: grid, doseGy: dose).meanRelativeUncertainty() == nil)
    }

    @Test func isodoseVolumeOfAGradient() throws {
        // Dose rises 10 Gy/cm along x over 5 voxels of 0.5 cm: x from −1 to 1.5 cm, centres at −0.75…1.25.
        let dose = try DoseGrid(grid: grid, field: { 20 + 10 * $0.x })
        // ≥ 20 Gy is x ≥ 0: 1.5 cm of the 2.5 cm, inside the centres' hull (exact for trilinear).
        let v = dose.volumeCM3(atOrAbove: 20, subsamples: 10)
        #expect(abs(v - 1.5 / 2.5 * 2.5 * 1 * 3) < 1e-9)
    }
}
