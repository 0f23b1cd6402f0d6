import Analysis
import Foundation
import Geometry
import Report
import Testing

/// Reads a DRR figure back with an XML parser: the embedded radiograph, the field outline on the jaw
/// positions, the isocentre cross-hair, structure silhouettes, legend and axis titles.
@Suite struct DRRFigureTests {
    /// A 5 cm water cube in air, a 2 cm bone cube in its middle, seen at gantry 0 (HFS).
    static func figure() throws -> (figure: DRRFigure, detector: DigitallyReconstructedRadiograph.Detector) {
        let grid = VoxelGrid(counts: (20, 20, 20), originCM: Vec3(-5, -5, -5), spacingCM: Vec3(0.5, 0.5, 0.5))
        var hu = [Float](repeating: -1000, count: grid.voxelCount)
        var cube = [Float](repeating: 0, count: grid.voxelCount)
        for k in 0..<20 {
            for j in 0..<20 {
                for i in 0..<20 {
                    let c = grid.centerCM(i, j, k)
                    if abs(c.x) < 2.5 && abs(c.y) < 2.5 && abs(c.z) < 2.5 { hu[grid.index(i, j, k)] = 0 }
                    if abs(c.x) < 1 && abs(c.y) < 1 && abs(c.z) < 1 {
                        hu[grid.index(i, j, k)] = 1000
                        cube[grid.index(i, j, k)] = 1
                    }
                }
            }
        }
        let beam = BeamGeometry(gantryDeg: 0, collimatorDeg: 0, couchDeg: 0, isocentreCM: .zero)
        let detector = try DigitallyReconstructedRadiograph.Detector(
            xMinCM: -6, xMaxCM: 6, yMinCM: -6, yMaxCM: 6, pixelCM: 0.1)
        let drr = try DigitallyReconstructedRadiograph(grid: grid, hu: hu, beam: beam, detector: detector)
        let silhouette = DRRFigure.Projection(
            name: "Bone <1>",
            pathLengthsCM: try DigitallyReconstructedRadiograph.project(cube, grid: grid, beam: beam, detector: detector),
            detector: detector, levelCM: 0.25)
        let aperture = try BeamAperture(jawXCM: (-3, 5), jawYCM: (-2, 4), leaves: nil)
        return (DRRFigure(drr: drr, aperture: aperture, structures: [silhouette], title: "G000"), detector)
    }

    @Test func figureHasImageFieldCrosshairStructuresAndAxes() throws {
        let (figure, d) = try Self.figure()
        let doc = try LinePlotTests.Elements.parse(figure.svg())
        // Layout as DRRFigure draws it: 64 px left margin, 44 px top, 560 px wide image.
        let scale = 560 / (d.xMaxCM - d.xMinCM)
        func px(_ x: Double) -> Double { 64 + (x - d.xMinCM) * scale }
        func py(_ y: Double) -> Double { 44 + (d.yMaxCM - y) * scale }

        let image = try #require(doc.all("image", class: "drr").first)
        #expect(image.attributes["href"]?.hasPrefix("data:image/png;base64,") == true)
        #expect(Double(image.attributes["width"] ?? "") == 560 && Double(image.attributes["height"] ?? "") == 560)

        // The field path's vertices are exactly the jaw corners (to the writer's 0.01 px rounding).
        let field = try #require(doc.all("path", class: "field").first)
        let numbers = (field.attributes["d"] ?? "").split(whereSeparator: { "ML ".contains($0) }).compactMap { Double($0) }
        let xs = Set(stride(from: 0, to: numbers.count, by: 2).map { numbers[$0] })
        let ys = Set(stride(from: 1, to: numbers.count, by: 2).map { numbers[$0] })
        #expect(xs.count == 2 && ys.count == 2)
        #expect(abs(xs.min()! - px(-3)) < 0.01 && abs(xs.max()! - px(5)) < 0.01)
        #expect(abs(ys.min()! - py(4)) < 0.01 && abs(ys.max()! - py(-2)) < 0.01)

        // The cross-hair crosses at the isocentre.
        let lines = doc.all("line", class: "crosshair")
        #expect(lines.count == 2)
        #expect(lines.contains { Double($0.attributes["y1"] ?? "") == py(0) && Double($0.attributes["y2"] ?? "") == py(0) })
        #expect(lines.contains { abs(Double($0.attributes["x1"] ?? "")! - px(0)) < 0.01 })

        // The bone cube's silhouette: its near face (1 cm half-width at 99 cm from the source) magnified
        // by 100/99, to within one pixel (0.1 cm).
        let outlines = doc.all("polyline", class: "structure")
        #expect(!outlines.isEmpty)
        let points = outlines.flatMap { ($0.attributes["points"] ?? "").split(separator: " ") }.map {
            $0.split(separator: ",").map { Double($0)! }
        }
        let xCM = points.map { d.xMinCM + ($0[0] - 64) / scale }, yCM = points.map { d.yMaxCM - ($0[1] - 44) / scale }
        let half = 100.0 / 99
        #expect(abs(xCM.max()! - half) < 0.1 && abs(xCM.min()! + half) < 0.1)
        #expect(abs(yCM.max()! - half) < 0.1 && abs(yCM.min()! + half) < 0.1)

        let legend = doc.all("text", class: "legend").map(\.text)
        #expect(legend == ["field", "Bone <1>"])
        #expect(doc.all("text", class: "axis-title x").map(\.text) == ["Xb at isocentre (mm)"])
        #expect(doc.all("text", class: "axis-title y").map(\.text) == ["Yb at isocentre (mm)"])
    }

    @Test func boneIsBrighterThanWater() throws {
        let (figure, d) = try Self.figure()
        let grey = figure.drr.greyLevels()
        func at(_ x: Double, _ y: Double) -> UInt8 {
            let p = d.pixel(containingX: x, y: y)!
            return grey[p.row * d.columns + p.column]
        }
        #expect(at(0, 0) > at(2, 2) && at(2, 2) > at(5.5, 5.5))
    }
}

/// The report's beam section: the beam table and the DRR figure inline, as XML.
@Suite struct ReportBeamSectionTests {
    @Test func reportListsBeamsAndInlinesTheirDRRs() throws {
        let (figure, _) = try DRRFigureTests.figure()
        var report = AnalysisReport(
            title: "Plan report", software: "Penumbra test", generated: "2026-11-29T10:00:00Z", inputs: [],
            doseFacts: [], dvh: [], figures: [.init(caption: "Beam's-eye view of G000", svg: figure.svg())])
        report.beams = [
            .init(name: "G000", energy: "PHOTON 6 MV", gantryDeg: 0, collimatorDeg: 10, couchDeg: 0, monitorUnits: 123.45, controlPoints: 2),
            .init(name: "Arc <1>", energy: "PHOTON 6 MV", gantryDeg: 181, collimatorDeg: 30, couchDeg: 270, monitorUnits: nil, controlPoints: 91),
        ]
        let html = report.html()
        let doc = try LinePlotTests.Elements.parse(html.replacingOccurrences(of: "<!DOCTYPE html>", with: ""))
        let cells = doc.all("td").map(\.text)
        #expect(cells.starts(with: ["G000", "PHOTON 6 MV", "0.0", "10.0", "0.0", "123.5", "2", "Arc <1>", "PHOTON 6 MV", "181.0", "30.0", "270.0", "—", "91"]))
        #expect(doc.all("h2").map(\.text).contains("Beams"))
        #expect(doc.all("image", class: "drr").count == 1 && doc.all("path", class: "field").count == 1)
        let json = String(decoding: try OutputFile.json(report.summary), as: UTF8.self)
        #expect(json.contains("\"controlPoints\" : 91") && json.contains("\"name\" : \"G000\""))
    }
}
