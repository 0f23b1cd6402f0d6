import Analysis
import Foundation
import Geometry

/// A dose plane as a figure: a colour wash, isodose lines with a legend, optional structure outlines,
/// and axes in cm. The plane is the voxel plane nearest to the requested position.
public struct DoseSliceFigure: Sendable {
    /// Which plane through the dose grid.
    public enum Plane: Sendable, Equatable {
        /// Constant z (axial), at this z in cm: x across, y down (as CT images are shown).
        case axial(zCM: Double)
        /// Constant y (coronal), at this y in cm: x across, z up.
        case coronal(yCM: Double)
        /// Constant x (sagittal), at this x in cm: y across, z up.
        case sagittal(xCM: Double)
    }

    /// A structure's outline in the plane: closed polygons in the plane's (across, up-or-down) cm.
    public struct Outline: Sendable {
        /// The structure's name.
        public var name: String
        /// Polygons as (horizontal, vertical) points in cm, in the plane's axes.
        public var polygons: [[(Double, Double)]]

        /// Creates an outline.
        public init(name: String, polygons: [[(Double, Double)]]) {
            self.name = name
            self.polygons = polygons
        }
    }

    /// The dose.
    public var dose: DoseGrid
    /// The plane.
    public var plane: Plane
    /// Isodose levels, in Gy.
    public var isodoseLevelsGy: [Double]
    /// The dose that 100 % refers to in the legend (e.g. the prescription); nil labels in Gy only.
    public var referenceDoseGy: Double?
    /// Structure outlines to draw.
    public var outlines: [Outline]
    /// The title.
    public var title: String
    /// The canvas width in px (the height follows the plane's aspect ratio).
    public var widthPX: Double = 720

    /// Creates a figure.
    public init(
        dose: DoseGrid, plane: Plane, isodoseLevelsGy: [Double], referenceDoseGy: Double? = nil,
        outlines: [Outline] = [], title: String
    ) {
        self.dose = dose
        self.plane = plane
        self.isodoseLevelsGy = isodoseLevelsGy
        self.referenceDoseGy = referenceDoseGy
        self.outlines = outlines
        self.title = title
    }

    /// The sampled plane: voxel-centre doses, rows top to bottom, and each axis's first centre and step
    /// in cm as drawn (a step is negative where the axis points up).
    struct Samples {
        let width: Int, height: Int
        let values: [Double]
        let across: (label: String, first: Double, step: Double)
        let down: (label: String, first: Double, step: Double)
    }

    func samples() -> Samples {
        let g = dose.grid
        func nearest(_ position: Double, _ origin: Double, _ spacing: Double, _ count: Int) -> Int {
            min(count - 1, max(0, Int(((position - origin) / spacing).rounded(.down))))
        }
        func centre(_ origin: Double, _ spacing: Double) -> Double { origin + 0.5 * spacing }
        switch plane {
        case .axial(let z):
            let k = nearest(z, g.originCM.z, g.spacingCM.z, g.counts.z)
            let values = (0..<g.counts.y).flatMap { j in (0..<g.counts.x).map { i in dose.doseGy[g.index(i, j, k)] } }
            return Samples(
                width: g.counts.x, height: g.counts.y, values: values,
                across: ("x", centre(g.originCM.x, g.spacingCM.x), g.spacingCM.x),
                down: ("y", centre(g.originCM.y, g.spacingCM.y), g.spacingCM.y))
        case .coronal(let y):
            let j = nearest(y, g.originCM.y, g.spacingCM.y, g.counts.y)
            let values = (0..<g.counts.z).reversed().flatMap { k in (0..<g.counts.x).map { i in dose.doseGy[g.index(i, j, k)] } }
            let top = g.originCM.z + (Double(g.counts.z) - 0.5) * g.spacingCM.z
            return Samples(
                width: g.counts.x, height: g.counts.z, values: values,
                across: ("x", centre(g.originCM.x, g.spacingCM.x), g.spacingCM.x), down: ("z", top, -g.spacingCM.z))
        case .sagittal(let x):
            let i = nearest(x, g.originCM.x, g.spacingCM.x, g.counts.x)
            let values = (0..<g.counts.z).reversed().flatMap { k in (0..<g.counts.y).map { j in dose.doseGy[g.index(i, j, k)] } }
            let top = g.originCM.z + (Double(g.counts.z) - 0.5) * g.spacingCM.z
            return Samples(
                width: g.counts.y, height: g.counts.z, values: values,
                across: ("y", centre(g.originCM.y, g.spacingCM.y), g.spacingCM.y), down: ("z", top, -g.spacingCM.z))
        }
    }

    /// The wash colour of a dose fraction of the maximum: a blue–grey–yellow ramp after cividis (Nuñez et
    /// al., PLoS ONE 13:e0199239, 2018), readable with red–green colour-vision deficiency; white below
    /// 5 % so that low dose does not hide the anatomy.
    static func washColour(_ fraction: Double) -> (UInt8, UInt8, UInt8) {
        guard fraction >= 0.05 else { return (255, 255, 255) }
        let anchors: [(Double, Double, Double)] = [(0, 32, 76), (124, 123, 120), (255, 234, 70)]
        let t = min(1, max(0, (fraction - 0.05) / 0.95)) * 2
        let n = min(1, Int(t))
        let f = t - Double(n)
        let a = anchors[n], b = anchors[n + 1]
        func mix(_ p: Double, _ q: Double) -> UInt8 { UInt8((p + (q - p) * f).rounded()) }
        return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// The figure as an SVG document.
    /// - Throws: `ReportError.badPlot` when the dose is zero everywhere in the plane.
    public func svg() throws -> String {
        let s = samples()
        guard let peak = s.values.max(), peak > 0 else { throw ReportError.badPlot("'\(title)': no dose in this plane") }
        // Extent of the voxels (not just the centres), in cm, and the px scale that fits the width.
        let spanAcross = Double(s.width) * abs(s.across.step), spanDown = Double(s.height) * abs(s.down.step)
        let left = 64.0, top = 44.0, legendW = 170.0, bottom = 56.0
        let scale = (widthPX - left - legendW) / spanAcross
        let plotW = spanAcross * scale, plotH = spanDown * scale
        var svg = SVGWriter(width: widthPX, height: top + plotH + bottom)
        svg.text(title, x: left, y: 26, size: 16, cssClass: "title", weight: "bold")

        var rgb = [UInt8]()
        rgb.reserveCapacity(3 * s.values.count)
        for v in s.values {
            let c = Self.washColour(v / peak)
            rgb += [c.0, c.1, c.2]
        }
        svg.image(
            png: [UInt8](PNGEncoder.encode(width: s.width, height: s.height, rgb: rgb)), x: left, y: top, width: plotW,
            height: plotH, cssClass: "dose-wash")

        // Sample (i, j) sits at the centre of pixel (i, j): px = left + (i + 0.5) · pixel size.
        let pixelW = plotW / Double(s.width), pixelH = plotH / Double(s.height)
        func px(_ i: Double) -> Double { left + (i + 0.5) * pixelW }
        func py(_ j: Double) -> Double { top + (j + 0.5) * pixelH }
        for (n, level) in isodoseLevelsGy.enumerated() {
            let segments = Isolines.segments(s.values, width: s.width, height: s.height, level: level)
            let colour = Palette.isodose[n % Palette.isodose.count]
            if !segments.isEmpty {
                let d = segments.map {
                    "M\(SVGWriter.format(px($0.a.x))) \(SVGWriter.format(py($0.a.y)))L\(SVGWriter.format(px($0.b.x))) \(SVGWriter.format(py($0.b.y)))"
                }.joined()
                svg.path(d, stroke: colour, width: 2, cssClass: "isodose")
            }
            let ly = top + 10 + Double(n) * 20
            svg.line(x1: left + plotW + 14, y1: ly, x2: left + plotW + 40, y2: ly, stroke: colour, width: 3, cssClass: "legend-swatch")
            let percent = referenceDoseGy.map { String(format: " (%.0f %%)", 100 * level / $0) } ?? ""
            svg.text(String(format: level >= 10 ? "%.1f Gy" : "%.2f Gy", level) + percent, x: left + plotW + 46, y: ly + 4, cssClass: "legend")
        }
        // Outlines: plane cm → sample index → px.
        for (n, outline) in outlines.enumerated() {
            for polygon in outline.polygons where polygon.count >= 2 {
                let points = (polygon + [polygon[0]]).map { p in
                    (x: px((p.0 - s.across.first) / s.across.step), y: py((p.1 - s.down.first) / s.down.step))
                }
                svg.polyline(points, stroke: "#000000", width: 1.5, dash: Palette.dashes[1 + n % 3], cssClass: "outline", title: outline.name)
            }
        }
        svg.rect(x: left, y: top, width: plotW, height: plotH, fill: "none", stroke: "#000000", cssClass: "frame")
        // Axis ticks in cm along both edges.
        let acrossRange = (s.across.first - 0.5 * s.across.step)...(s.across.first + (Double(s.width) - 0.5) * s.across.step)
        for t in LinePlot.ticks(acrossRange) {
            svg.text(LinePlot.label(t), x: px((t - s.across.first) / s.across.step), y: top + plotH + 16, anchor: "middle", cssClass: "tick x")
        }
        let downEnds = [s.down.first - 0.5 * s.down.step, s.down.first + (Double(s.height) - 0.5) * s.down.step]
        for t in LinePlot.ticks(downEnds.min()!...downEnds.max()!) {
            svg.text(LinePlot.label(t), x: left - 6, y: py((t - s.down.first) / s.down.step) + 4, anchor: "end", cssClass: "tick y")
        }
        svg.text("\(s.across.label) (cm)", x: left + plotW / 2, y: top + plotH + 40, size: 14, anchor: "middle", cssClass: "axis-title x")
        svg.text("\(s.down.label) (cm)", x: 18, y: top + plotH / 2, size: 14, anchor: "middle", rotate: -90, cssClass: "axis-title y")
        return svg.rendered
    }
}
