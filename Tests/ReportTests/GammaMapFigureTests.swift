import Analysis
import Foundation
import Geometry
import Report
import Testing

/// The gamma map figure: each voxel's colour is its γ class, not-evaluated voxels are grey, the γ = 1
/// line and the legend are there, axes in mm.
@Suite struct GammaMapFigureTests {
    @Test func pixelsCarryTheirGammaClass() throws {
        // A Gaussian and the same Gaussian 3 mm away along x: 3 %/2 mm fails on the flanks.
        let grid = VoxelGrid(counts: (24, 20, 16), originCM: Vec3(-3, -2.5, -2), spacingCM: Vec3(0.25, 0.25, 0.25))
        let reference = try DoseGrid(grid: grid, field: { p in 60 * exp(-p.dot(p) / 2) })
        let shifted = try DoseGrid(grid: grid, field: { p in
            let q = p - Vec3(0.3, 0, 0)
            return 60 * exp(-q.dot(q) / 2)
        })
        let gamma = try GammaIndex(
            reference: reference, evaluated: shifted, options: GammaOptions(doseDifferencePercent: 3, distanceToAgreementCM: 0.2))
        let z = grid.centerCM(0, 0, 8).z
        let svg = try GammaMapFigure(gamma: gamma, plane: .axial(zCM: z), title: "γ").svg()
        let doc = try LinePlotTests.Elements.parse(svg)
        let png = try StoredPNG(href: try #require(doc.all("image", class: "gamma").first?.attributes["href"]))
        #expect(png.width == 24 && png.height == 20 && png.colourType == 6)
        var classesSeen = Set<Int>()
        for j in 0..<20 {
            for i in 0..<24 {
                let g = gamma.gamma[grid.index(i, j, 8)]
                let pixel = Array(png.pixel(i, j).prefix(3))
                if g.isNaN {
                    #expect(pixel == [0xDD, 0xDD, 0xDD])
                } else {
                    let n = g < 0.5 ? 0 : g <= 1 ? 1 : g < 1.5 ? 2 : 3
                    let c = GammaMapFigure.classes[n].colour
                    #expect(pixel == [c.0, c.1, c.2], "voxel (\(i), \(j)) γ = \(g)")
                    classesSeen.insert(n)
                }
            }
        }
        // The case has both passing and failing voxels and some below the 10 % threshold.
        #expect(classesSeen.contains(0) && classesSeen.contains(where: { $0 >= 2 }))
        #expect(gamma.gamma.contains { $0.isNaN })
        #expect(!doc.all("path", class: "gamma-one").isEmpty)
        #expect(doc.all("text", class: "legend").map(\.text) == GammaMapFigure.classes.map(\.label) + ["not evaluated", "γ = 1"])
        #expect(doc.all("text", class: "axis-title x").map(\.text) == ["x (mm)"])
    }
}
