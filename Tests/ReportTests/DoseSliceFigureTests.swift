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
        #expect(doc.all("text", class: "axis-title x").first?.text == "x (mm)")
        if PNGExport.converter != nil {
            let directory = try TestEnvironment.makeScratchDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            // rsvg-convert accepts the embedded PNG (a broken data URI would make it fail or warn).
            try PNGExport.write(svg: svg, to: directory.appendingPathComponent("axial.png"))
        }
    }

    /// A CT of water with a lung region (x < −2 cm, −800 HU) and a bone bar (2 < x < 4 cm,
    /// −4 < y < −2 cm, 1000 HU), on 0.2 cm voxels over the dose grid.
    static func ct() throws -> CTUnderlay {
        let grid = VoxelGrid(counts: (50, 45, 30), originCM: Vec3(-5, -4.8, -1.8), spacingCM: Vec3(0.2, 0.2, 0.2))
        let hu = (0..<grid.voxelCount).map { n -> Float in
            let (i, j, k) = grid.ijk(ofIndex: n)
            let p = grid.centerCM(i, j, k)
            if p.x < -2 { return -800 }
            return p.x > 2 && p.x < 4 && p.y > -4 && p.y < -2 ? 1000 : 0
        }
        return try CTUnderlay(grid: grid, hu: hu)
    }

    /// A sphere of radius 1.5 cm around the dose centre, as a mask on the dose grid.
    static func sphere() throws -> StructureMask {
        let g = try dose().grid
        return try StructureMask(
            name: "PTV", grid: g,
            fractions: (0..<g.voxelCount).map { n in
                let (i, j, k) = g.ijk(ofIndex: n)
                return (g.centerCM(i, j, k) - centre).length < 1.5 ? 1 : 0
            })
    }

    /// Issue 9: the dose figure over the CT has the CT image (grey PNG), the dose wash (PNG with alpha),
    /// the isodose paths and the structure outline, on every plane; axes in mm.
    @Test(arguments: [DoseSliceFigure.Plane.axial(zCM: 1.2), .coronal(yCM: -0.3), .sagittal(xCM: 0.1)])
    func ctUnderlayIsodosesAndOutlines(_ plane: DoseSliceFigure.Plane) throws {
        let figure = DoseSliceFigure(
            dose: try Self.dose(), plane: plane, isodoseLevelsGy: [30, 54], referenceDoseGy: 60,
            outlines: [DoseSliceFigure.Outline(name: "PTV", mask: try Self.sphere(), plane: plane)], underlay: try Self.ct(),
            title: "Over the CT")
        let doc = try LinePlotTests.Elements.parse(try figure.svg())
        let ct = try StoredPNG(href: try #require(doc.all("image", class: "ct").first?.attributes["href"]))
        #expect(ct.colourType == 0)
        let wash = try StoredPNG(href: try #require(doc.all("image", class: "dose-wash").first?.attributes["href"]))
        #expect(wash.colourType == 6)
        // Transparent far from the dose peak, opaque enough at it (55 % over the CT).
        #expect(wash.pixel(0, 0).last == 0)
        #expect(wash.pixels.enumerated().filter { $0.offset % 4 == 3 }.map(\.element).max() == 140)
        #expect(doc.all("path", class: "isodose").count == 2)
        let outlines = doc.all("polyline", class: "outline")
        #expect(!outlines.isEmpty && doc.all("title").contains { $0.text == "PTV" })
        #expect(doc.all("text", class: "legend outline").map(\.text) == ["PTV"])
        #expect(doc.all("text", class: "axis-title x").first?.text.hasSuffix("(mm)") == true)
        #expect(doc.all("text", class: "axis-title y").first?.text.hasSuffix("(mm)") == true)
        // The outline lies on the sphere's cut: map px back to cm with the frame.
        let frame = try #require(doc.all("rect", class: "frame").first?.attributes)
        let fx = Double(frame["x"]!)!, fy = Double(frame["y"]!)!, fw = Double(frame["width"]!)!
        let g = try Self.dose().grid
        let c = Self.centre
        let (acrossStart, acrossSpan, downStart, downIsUp, centreAcross, centreDown, offPlane): (Double, Double, Double, Bool, Double, Double, Double)
        switch plane {
        case .axial(let z):
            let k = Int((z - g.originCM.z) / 0.25)
            (acrossStart, acrossSpan, downStart, downIsUp) = (g.originCM.x, g.endCM.x - g.originCM.x, g.originCM.y, false)
            (centreAcross, centreDown, offPlane) = (c.x, c.y, g.centerCM(0, 0, k).z - c.z)
        case .coronal(let y):
            let j = Int((y - g.originCM.y) / 0.25)
            (acrossStart, acrossSpan, downStart, downIsUp) = (g.originCM.x, g.endCM.x - g.originCM.x, g.endCM.z, true)
            (centreAcross, centreDown, offPlane) = (c.x, c.z, g.centerCM(0, j, 0).y - c.y)
        case .sagittal(let x):
            let i = Int((x - g.originCM.x) / 0.25)
            (acrossStart, acrossSpan, downStart, downIsUp) = (g.originCM.y, g.endCM.y - g.originCM.y, g.endCM.z, true)
            (centreAcross, centreDown, offPlane) = (c.y, c.z, g.centerCM(i, 0, 0).x - c.x)
        }
        let cmPerPX = acrossSpan / fw
        let radius = (1.5 * 1.5 - offPlane * offPlane).squareRoot()
        for outline in outlines {
            for point in outline.attributes["points"]!.split(separator: " ") {
                let xy = point.split(separator: ",").map { Double($0)! }
                let across = acrossStart + (xy[0] - fx) * cmPerPX
                let down = downIsUp ? downStart - (xy[1] - fy) * cmPerPX : downStart + (xy[1] - fy) * cmPerPX
                let r = ((across - centreAcross) * (across - centreAcross) + (down - centreDown) * (down - centreDown)).squareRoot()
                // The 50 % line of a 0/1 mask runs half-way between voxel centres: within half a voxel
                // (0.125 cm) of the cut, plus the staircase of voxel centres along a circle (≤ 0.1 cm).
                #expect(abs(r - radius) < 0.23, "outline vertex at r = \(r) cm, cut radius \(radius) cm")
            }
        }
        // The CT through the window: bone white, water grey, lung dark (axial plane: x across, y down).
        if case .axial = plane {
            func grey(_ x: Double, _ y: Double) -> UInt8 {
                let column = Int((x - g.originCM.x) / (g.endCM.x - g.originCM.x) * Double(ct.width))
                let row = Int((y - g.originCM.y) / (g.endCM.y - g.originCM.y) * Double(ct.height))
                return ct.pixel(column, row)[0]
            }
            #expect(grey(3, -3) == 255 && grey(0, 0) > 150 && grey(0, 0) < 220 && grey(-4, 0) < 60)
        }
    }

    @Test func washIsWhiteBelowFivePercentAndRampsBlueToYellow() {
        let low = DoseSliceFigureProbe.wash(0.01), start = DoseSliceFigureProbe.wash(0.05), top = DoseSliceFigureProbe.wash(1)
        #expect(low == [255, 255, 255])
        #expect(start[2] > start[0] && top[0] > top[2])
    }
}
