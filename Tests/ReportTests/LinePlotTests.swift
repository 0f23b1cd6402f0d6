import Analysis
import Foundation
import Geometry
import Report
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Reads an SVG back with an XML parser and checks what a reader needs: axes titled with units, ticks,
/// one line per series in distinct colour-blind-safe colours, a legend, and escaped names.
@Suite struct LinePlotTests {
    /// The elements of a document: name, attributes and text content, in document order.
    final class Elements: NSObject, XMLParserDelegate {
        var items: [(name: String, attributes: [String: String], text: String)] = []
        private var open: [Int] = []
        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            items.append((name, attributes, ""))
            open.append(items.count - 1)
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let last = open.last { items[last].text += string }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }

        static func parse(_ svg: String) throws -> Elements {
            let elements = Elements()
            let parser = XMLParser(data: Data(svg.utf8))
            parser.delegate = elements
            try #require(parser.parse(), "the SVG is not well-formed XML: \(String(describing: parser.parserError))")
            return elements
        }

        func all(_ name: String, class cssClass: String? = nil) -> [(name: String, attributes: [String: String], text: String)] {
            items.filter { $0.name == name && (cssClass == nil || $0.attributes["class"] == cssClass) }
        }
    }

    func dvhCurves() throws -> [DVHCurve] {
        let grid = VoxelGrid(counts: (10, 10, 10), originCM: .zero, spacingCM: Vec3(0.5, 0.5, 0.5))
        let dose = try DoseGrid(grid: grid, field: { 10 + 8 * $0.x })
        let all = try StructureMask(name: "Lung <L> & R", grid: grid, fractions: [Float](repeating: 1, count: 1000))
        let half = try StructureMask(
            name: "PTV", grid: grid, fractions: (0..<1000).map { $0 % 10 >= 5 ? 1 : 0 })
        return try [all, half].map { try DoseVolumeHistogram(dose: dose, structure: $0).cumulativeCurve(binWidthGy: 0.5) }
    }

    @Test func dvhPlotHasAxesSeriesAndLegend() throws {
        let svg = try DoseCharts.dvh(try dvhCurves()).svg()
        let doc = try Elements.parse(svg)
        let root = try #require(doc.items.first)
        #expect(root.name == "svg" && root.attributes["viewBox"] == "0 0 720 480")
        let titles = doc.all("text", class: "axis-title x").map(\.text) + doc.all("text", class: "axis-title y").map(\.text)
        #expect(titles == ["Dose (Gy)", "Volume (%)"])
        let yTicks = doc.all("text", class: "tick y").map(\.text)
        #expect(yTicks.first == "0" && yTicks.last == "100")
        #expect(!doc.all("text", class: "tick x").isEmpty)
        let lines = doc.all("polyline", class: "series")
        #expect(lines.count == 2)
        #expect(lines.map { $0.attributes["stroke"] ?? "" } == Array(Palette.okabeIto.prefix(2)))
        // The name with markup characters survives escaping and parsing.
        #expect(doc.all("text", class: "legend").map(\.text) == ["Lung <L> & R", "PTV"])
        #expect(doc.all("title").map(\.text) == ["Lung <L> & R", "PTV"])
        // Every vertex lies in the plot frame; the whole-volume curve starts at 100 % (the frame's top).
        let frame = try #require(doc.all("rect", class: "frame").first?.attributes)
        let x0 = Double(frame["x"]!)!, y0 = Double(frame["y"]!)!
        let x1 = x0 + Double(frame["width"]!)!, y1 = y0 + Double(frame["height"]!)!
        for line in lines {
            let points = line.attributes["points"]!.split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
            #expect(points.allSatisfy { $0[0] >= x0 && $0[0] <= x1 && $0[1] >= y0 && $0[1] <= y1 })
            #expect(points.first?[1] == y0)
        }
    }

    @Test func depthDosePlotNormalisesToThePeak() throws {
        let grid = VoxelGrid(counts: (1, 1, 40), originCM: .zero, spacingCM: Vec3(1, 1, 0.5))
        let dose = try DoseGrid(grid: grid, field: { p in 2 * exp(-0.05 * p.z) * (1 - exp(-2 * p.z)) })
        let samples = try dose.profile(from: Vec3(0.5, 0.5, 0), to: Vec3(0.5, 0.5, 20), stepCM: 0.25)
        let plot = DoseCharts.profiles([("6 MV, 10 × 10 cm²", samples)], title: "Depth dose", normaliseToPercent: true)
        let doc = try Elements.parse(try plot.svg())
        #expect(doc.all("text", class: "axis-title x").first?.text == "Depth (cm)")
        #expect(doc.all("text", class: "axis-title y").first?.text == "Relative dose (%)")
        let points = try #require(doc.all("polyline", class: "series").first?.attributes["points"])
        let ys = points.split(separator: " ").map { Double($0.split(separator: ",")[1])! }
        // The peak is 100 %: the highest point sits at the frame's top (y grows downwards).
        let frameTop = Double(try #require(doc.all("rect", class: "frame").first?.attributes["y"]))!
        #expect(abs((ys.min() ?? 0) - frameTop) < 0.01)
        #expect(doc.all("text", class: "title").first?.text == "Depth dose")
    }

    @Test(arguments: [(0.0...10.0, [0.0, 2, 4, 6, 8, 10]), (0.0...1.0, [0, 0.2, 0.4, 0.6, 0.8, 1]), (3.0...57.0, [10.0, 20, 30, 40, 50])])
    func ticksAreRound(_ range: ClosedRange<Double>, _ expected: [Double]) {
        let ticks = LinePlotProbe.ticks(range)
        #expect(ticks.count == expected.count)
        for (t, e) in zip(ticks, expected) { #expect(abs(t - e) < 1e-12) }
    }

    @Test func nothingToDrawIsAnError() {
        let plot = LinePlot(title: "empty", x: .init(label: "Dose", unit: "Gy"), y: .init(label: "Volume", unit: "%"), series: [])
        #expect(throws: ReportError.self) { try plot.svg() }
    }
}
