import Analysis
import Foundation
import Geometry
import Report
import TestSupport
import Testing

@Suite struct DoseSliceFigureTests {
    static let centre = Vec3(0.1, -0.3, 1.2)
    /// A Gaussian of 60 Gy, σ 1.5 cm, on 0.25 cm voxels.
    static func dose() throws -> DoseGrid {
        let grid = VoxelGrid(counts: (40, 36, 24), originCM: Vec3(-5, -4.8, -1.8), spacingCM: Vec3(0.25, 0.25, 0.25))
        return try DoseGrid(grid: grid, field: { p in 60 * exp(-(p - centre).dot(p - centre) / (2 * 1.5 * 1.5)) })
    }

    /// Isodose lines of a radial dose are circles: every vertex of the 30 Gy line lies at the radius
    /// where the Gaussian (sampled at the plane's voxel centres) is 30 Gy.
    @Test(arguments: [DoseSliceFigure.Plane.axial(zCM: 1.2), .coronal(yCM: -0.3), .sagittal(xCM: 0.1)])
    func isodosesAreCirclesOfTheRightRadius(_ plane: DoseSliceFigure.Plane) throws {
        let figure = DoseSliceFigure(
            dose: try Self.dose(), plane: plane, isodoseLevelsGy: [30, 54], referenceDoseGy: 60, title: "Gaussian")
        let doc = try LinePlotTests.Elements.parse(try figure.svg())
        let image = try #require(doc.all("image", class: "dose-wash").first?.attributes)
        let href = try #require(image["href"])
        #expect(href.hasPrefix("data:image/png;base64,"))
        let png = try #require(Data(base64Encoded: String(href.dropFirst("data:image/png;base64,".count))))
        #expect(Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        #expect(doc.all("text", class: "legend").map(\.text) == ["30.0 Gy (50 %)", "54.0 Gy (90 %)"])
        let paths = doc.all("path", class: "isodose")
        #expect(paths.count == 2)
        // Map px back to cm with the frame and the plane's extent, then check distances from the centre.
        let frame = try #require(doc.all("rect", class: "frame").first?.attributes)
        let fx = Double(frame["x"]!)!, fy = Double(frame["y"]!)!, fw = Double(frame["width"]!)!
        let g = try Self.dose().grid
        let (acrossStart, acrossSpan, centreAcross, centreDown): (Double, Double, Double, Double)
        let downIsUp: Bool
        let downStart: Double
        switch plane {
        case .axial:
            (acrossStart, acrossSpan, centreAcross, centreDown) = (g.originCM.x, g.endCM.x - g.originCM.x, Self.centre.x, Self.centre.y)
            (downIsUp, downStart) = (false, g.originCM.y)
        case .coronal:
            (acrossStart, acrossSpan, centreAcross, centreDown) = (g.originCM.x, g.endCM.x - g.originCM.x, Self.centre.x, Self.centre.z)
            (downIsUp, downStart) = (true, g.endCM.z)
        case .sagittal:
            (acrossStart, acrossSpan, centreAcross, centreDown) = (g.originCM.y, g.endCM.y - g.originCM.y, Self.centre.y, Self.centre.z)
            (downIsUp, downStart) = (true, g.endCM.z)
        }
        let cmPerPX = acrossSpan / fw
        let numbers = paths[0].attributes["d"]!.split(whereSeparator: { "ML ".contains($0) }).map { Double($0)! }
        // The plane is the voxel plane nearest the centre, 0.05–0.1 cm off it: the 30 Gy radius there.
        let offPlane: Double
        switch plane {
        case .axial: offPlane = g.centerCM(0, 0, Int((1.2 - g.originCM.z) / 0.25)).z - Self.centre.z
        case .coronal: offPlane = g.centerCM(0, Int((-0.3 - g.originCM.y) / 0.25), 0).y - Self.centre.y
        case .sagittal: offPlane = g.centerCM(Int((0.1 - g.originCM.x) / 0.25), 0, 0).x - Self.centre.x
        }
        let radius = (2 * 1.5 * 1.5 * log(2) - offPlane * offPlane).squareRoot()
        #expect(numbers.count > 40)
        for n in stride(from: 0, to: numbers.count, by: 2) {
            let across = acrossStart + (numbers[n] - fx) * cmPerPX
            let downCM = (numbers[n + 1] - fy) * cmPerPX
            let down = downIsUp ? downStart - downCM : downStart + downCM
            let r = ((across - centreAcross) * (across - centreAcross) + (down - centreDown) * (down - centreDown)).squareRoot()
            // Linear interpolation between 0.25 cm samples of a Gaussian: within 0.03 cm of the circle.
            #expect(abs(r - radius) < 0.03, "vertex at r = \(r) cm, expected \(radius) cm")
        }
    }

    @Test func outlinesAndPNG() throws {
        let square = DoseSliceFigure.Outline(name: "PTV", polygons: [[(-1, -1), (1, -1), (1, 1), (-1, 1)]])
        let figure = DoseSliceFigure(
            dose: try Self.dose(), plane: .axial(zCM: 1.2), isodoseLevelsGy: [30], outlines: [square], title: "Axial")
        let svg = try figure.svg()
        let doc = try LinePlotTests.Elements.parse(svg)
        let outline = try #require(doc.all("polyline", class: "outline").first)
        #expect(outline.attributes["points"]?.split(separator: " ").count == 5)
        #expect(doc.all("text", class: "axis-title x").first?.text == "x (cm)")
        if PNGExport.converter != nil {
            let directory = try TestEnvironment.makeScratchDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            // rsvg-convert accepts the embedded PNG (a broken data URI would make it fail or warn).
            try PNGExport.write(svg: svg, to: directory.appendingPathComponent("axial.png"))
        }
    }

    @Test func washIsWhiteBelowFivePercentAndRampsBlueToYellow() {
        let low = DoseSliceFigureProbe.wash(0.01), start = DoseSliceFigureProbe.wash(0.05), top = DoseSliceFigureProbe.wash(1)
        #expect(low == [255, 255, 255])
        #expect(start[2] > start[0] && top[0] > top[2])
    }
}
