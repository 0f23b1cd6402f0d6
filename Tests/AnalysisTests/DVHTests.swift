import Analysis
import Foundation
import Geometry
import Testing

@Suite struct DVHTests {
    let grid = VoxelGrid(counts: (10, 10, 10), originCM: Vec3(0, 0, 0), spacingCM: Vec3(0.3, 0.3, 0.3))

    func box(_ name: String = "box", _ inside: (Int, Int, Int) -> Float) throws -> StructureMask {
        var f = [Float](repeating: 0, count: grid.voxelCount)
        for k in 0..<10 { for j in 0..<10 { for i in 0..<10 { f[grid.index(i, j, k)] = inside(i, j, k) } } }
        return try StructureMask(name: name, grid: grid, fractions: f)
    }

    @Test func uniformDoseGivesAStep() throws {
        let dose = try DoseGrid(grid: grid, field: { _ in 42 })
        let mask = try box { i, j, k in (2..<8).contains(i) && (2..<8).contains(j) && (2..<8).contains(k) ? 1 : 0 }
        let dvh = try DoseVolumeHistogram(dose: dose, structure: mask)
        #expect(abs(dvh.volumeCM3 - 216 * 0.027) < 1e-9)
        #expect(dvh.minDoseGy == 42 && dvh.maxDoseGy == 42 && abs(dvh.meanDoseGy - 42) < 1e-12)
        for p in [2.0, 50, 95, 98, 100] { #expect(dvh.doseGy(hottestPercent: p) == 42) }
        #expect(dvh.volumePercent(atOrAbove: 41.99) == 100)
        #expect(dvh.volumePercent(atOrAbove: 42.01) == 0)
        #expect(dvh.homogeneityIndex == 0)
        let curve = try dvh.cumulativeCurve(binWidthGy: 1)
        #expect(curve.volumesPercent.first == 100 && curve.volumesPercent.last == 0)
        let differential = try dvh.differentialCurve(binWidthGy: 1)
        #expect(abs(differential.volumesCM3.reduce(0, +) - dvh.volumeCM3) < 1e-9)
        #expect(abs(differential.volumesCM3[42] - dvh.volumeCM3) < 1e-9)
    }

    @Test func absoluteVolumeMetricsAndSmallStructures() throws {
        // A gradient along x, 5 Gy per 0.3 cm voxel; the structure is 2 × 2 × 2 whole voxels (0.216 cc).
        let dose = try DoseGrid(grid: grid, field: { 10 + $0.x / 0.3 * 5 })
        let mask = try box { i, j, k in (4..<6).contains(i) && (4..<6).contains(j) && (4..<6).contains(k) ? 1 : 0 }
        let dvh = try DoseVolumeHistogram(dose: dose, structure: mask)
        // x from 1.2 to 1.8 cm: 30 to 40 Gy, uniform along x.
        #expect(abs(dvh.minDoseGy - 30) < 1e-9 && abs(dvh.maxDoseGy - 40) < 1e-9)
        #expect(abs(dvh.meanDoseGy - 35) < 1e-9)
        // D0.03cc: the hottest 0.03 of 0.216 cc, 10 Gy × 0.03 / 0.216 below the maximum; bins are 1 mGy.
        let d003 = try #require(dvh.value(of: try DoseMetric(parsing: "D0.03cc")))
        #expect(abs(d003 - (40 - 10 * 0.03 / 0.216)) < 0.002)
        #expect(abs(try #require(dvh.value(of: .volumeCM3AtDose(35))) - 0.108) < 1e-4)
        #expect(dvh.doseGy(hottestVolumeCM3: 0.3) == nil)
        #expect(dvh.value(of: .doseAtVolumeCM3(1)) == nil)
    }

    @Test func partOutsideTheDoseGridCountsAtZero() throws {
        let small = VoxelGrid(counts: (5, 10, 10), originCM: .zero, spacingCM: Vec3(0.3, 0.3, 0.3))
        let dose = try DoseGrid(grid: small, field: { _ in 10 })
        let mask = try box { i, _, _ in i < 8 ? 1 : 0 }
        let dvh = try DoseVolumeHistogram(dose: dose, structure: mask)
        #expect(abs(dvh.volumeOutsideDoseGridCM3 / dvh.volumeCM3 - 3.0 / 8) < 1e-9)
        #expect(abs(dvh.meanDoseGy - 10 * 5 / 8) < 1e-9)
        #expect(dvh.minDoseGy == 0)
    }

    @Test func emptyStructureIsAnError() throws {
        let dose = try DoseGrid(grid: grid, field: { _ in 1 })
        #expect(throws: AnalysisError.emptyStructure(name: "empty")) {
            try DoseVolumeHistogram(dose: dose, structure: try box("empty") { _, _, _ in 0 })
        }
    }

    @Test func maskArithmetic() throws {
        let a = try box("Lungs") { i, _, _ in i < 6 ? 1 : 0 }
        let b = try box("GTV") { i, _, _ in i == 5 ? 0.25 : 0 }
        let d = try a.subtracting(b)
        #expect(d.name == "Lungs-GTV")
        #expect(abs(d.volumeCM3 - (a.volumeCM3 - b.volumeCM3)) < 1e-9)
        let u = try b.union(b)
        #expect(abs(u.volumeCM3 - 2 * b.volumeCM3) < 1e-9)
        let other = try StructureMask(
            name: "x", grid: VoxelGrid(counts: (1, 1, 1), originCM: .zero, spacingCM: Vec3(1, 1, 1)), fractions: [1])
        #expect(throws: AnalysisError.gridMismatch(first: "x", second: "Lungs")) { try a.subtracting(other) }
        // Aligned grids of different extent: a one-voxel structure 12 voxels along x (outside a's grid).
        let far = try StructureMask(
            name: "far", grid: VoxelGrid(counts: (1, 1, 1), originCM: Vec3(3.6, 0.3, 0.6), spacingCM: grid.spacingCM),
            fractions: [0.5])
        let joined = try a.union(far)
        #expect(joined.grid.counts.x == 13 && joined.grid.counts.y == 10)
        #expect(abs(joined.volumeCM3 - (a.volumeCM3 + far.volumeCM3)) < 1e-9)
        let back = try far.embedded(in: joined.grid).embedded(in: far.grid)
        #expect(back == far)
        #expect(try a.subtracting(far).fractions == a.fractions)
        #expect(throws: AnalysisError.self) { try StructureMask(name: "bad", grid: grid, fractions: [1.5]) }
    }

    @Test(arguments: [
        ("D95%", DoseMetric.doseAtVolumePercent(95)), ("d95", .doseAtVolumePercent(95)),
        ("D0.03cc", .doseAtVolumeCM3(0.03)), ("V20Gy", .volumePercentAtDose(20)), ("V20Gy%", .volumePercentAtDose(20)),
        ("V5Gy[cc]", .volumeCM3AtDose(5)), ("Dmean", .meanDose), ("DMAX", .maxDose), ("Dmin", .minDose),
    ])
    func metricsParse(_ text: String, _ metric: DoseMetric) throws {
        #expect(try DoseMetric(parsing: text) == metric)
        #expect(try DoseMetric(parsing: metric.description) == metric)
    }

    @Test(arguments: ["D", "D101%", "V20", "X5", "Dabc", "V-3Gy", ""])
    func badMetricsAreRejected(_ text: String) {
        #expect(throws: AnalysisError.badMetric(text)) { try DoseMetric(parsing: text) }
    }

    /// Paddick's and RTOG's conformity indices for a sphere in a spherical Gaussian dose, where the
    /// prescription isodose is a sphere of known radius.
    @Test func conformityOfASphereInAGaussian() throws {
        let centre = Vec3(0.07, -0.04, 0.11)
        let g = VoxelGrid(counts: (40, 40, 40), originCM: Vec3(-5, -5, -5), spacingCM: Vec3(0.25, 0.25, 0.25))
        let sigma = 1.2, peak = 60.0, rx = 30.0
        let dose = try DoseGrid(grid: g, field: { peak * exp(-($0 - centre).dot($0 - centre) / (2 * sigma * sigma)) })
        // Target: a sphere of 1.5 cm radius, mask from 8³ point tests per voxel.
        var f = [Float](repeating: 0, count: g.voxelCount)
        for k in 0..<40 {
            for j in 0..<40 {
                for i in 0..<40 {
                    // Only voxels within a half diagonal (0.22 cm) of the surface need point tests.
                    let r = (g.centerCM(i, j, k) - centre).length
                    if abs(r - 1.5) > 0.22 {
                        f[g.index(i, j, k)] = r < 1.5 ? 1 : 0
                        continue
                    }
                    var n = 0
                    for c in 0..<8 {
                        for b in 0..<8 {
                            for a in 0..<8 {
                                let p = Vec3(
                                    -5 + (Double(i) + (Double(a) + 0.5) / 8) * 0.25,
                                    -5 + (Double(j) + (Double(b) + 0.5) / 8) * 0.25,
                                    -5 + (Double(k) + (Double(c) + 0.5) / 8) * 0.25)
                                if (p - centre).length <= 1.5 { n += 1 }
                            }
                        }
                    }
                    f[g.index(i, j, k)] = Float(n) / 512
                }
            }
        }
        let dvh = try DoseVolumeHistogram(dose: dose, structure: try StructureMask(name: "PTV", grid: g, fractions: f))
        let indices = try ConformityIndices(target: dvh, dose: dose, prescriptionGy: rx, subsamples: 2)
        let rIso = sigma * (2 * log(peak / rx)).squareRoot()  // 1.413 cm, inside the target
        let tv = 4 / 3 * Double.pi * pow(1.5, 3), piv = 4 / 3 * Double.pi * pow(rIso, 3)
        // TV_PIV = PIV here (the isodose lies inside the target): Paddick = PIV / TV.
        // Tolerance 2 %: the 2.5 mm grid's trilinear error on the Gaussian (docs/dvh.md) moves the isodose.
        #expect(abs(try #require(indices.paddick) / (piv / tv) - 1) < 0.02)
        #expect(abs(try #require(indices.rtog) / (piv / tv) - 1) < 0.02)
        #expect(try #require(dvh.homogeneityIndex) > 0)
    }
}
