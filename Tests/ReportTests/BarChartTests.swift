import Analysis
import Foundation
import Geometry
import Report
import Testing

@Suite struct BarChartTests {
    @Test func gammaHistogramDrawsOneBarPerBinAndTheLimit() throws {
        let grid = VoxelGrid(counts: (20, 4, 4), originCM: Vec3(-2.5, -0.5, -0.5), spacingCM: Vec3(0.25, 0.25, 0.25))
        let reference = try DoseGrid(grid: grid, field: { 2 + 0.5 * $0.x })
        let evaluated = try DoseGrid(grid: grid, field: { 2 + 0.5 * ($0.x - 0.15) })
        let gamma = try GammaIndex(reference: reference, evaluated: evaluated, options: GammaOptions(searchRadiusCM: 1))
        let bins = gamma.histogram(binWidth: 0.1, upTo: 2)
        #expect(bins.count == 21 && bins.last?.upperGamma == nil)
        #expect(bins.reduce(0) { $0 + $1.count } == gamma.evaluatedCount)
        let svg = try DoseCharts.gammaHistogram(bins, title: "Gamma, 3 %/2 mm").svg()
        let doc = try LinePlotTests.Elements.parse(svg)
        let bars = doc.all("rect", class: "bar")
        #expect(bars.count == 21)
        // Bar heights are proportional to the bins' shares (px per percent is the same for every bar).
        let heights = bars.map { Double($0.attributes["height"]!)! }
        let counts = bins.map { Double($0.count) }
        let scale = heights.max()! / counts.max()!
        for (h, c) in zip(heights, counts) { #expect(abs(h - c * scale) < 0.02) }
        #expect(doc.all("text", class: "marker-label").first?.text == "γ = 1")
        #expect(doc.all("text", class: "axis-title y").first?.text == "Points (%)")
    }

    @Test func uncertaintyHistogramCountsHighDoseVoxels() throws {
        let grid = VoxelGrid(counts: (10, 1, 1), originCM: .zero, spacingCM: Vec3(1, 1, 1))
        let dose = try DoseGrid(
            grid: grid, doseGy: (0..<10).map(Double.init), relativeUncertainty: (0..<10).map { $0 < 5 ? 0.2 : 0.011 })
        let chart = try #require(DoseCharts.uncertaintyHistogram(dose, fractionOfMax: 0.5, binPercent: 0.5))
        // Voxels ≥ 4.5 Gy: 5…9, all at 1.1 % (bin 1.0–1.5 %).
        #expect(chart.bars.count == 3)
        #expect(chart.bars[2].value == 100)
        #expect(DoseCharts.uncertaintyHistogram(try DoseGrid(grid: grid, doseGy: [Double](repeating: 1, count: 10))) == nil)
        _ = try LinePlotTests.Elements.parse(try chart.svg())
    }
}
