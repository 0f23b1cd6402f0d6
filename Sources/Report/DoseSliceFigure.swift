import Analysis
import Foundation
import Geometry

/// A dose plane as a figure: optionally the CT in grey underneath, a dose colour wash, isodose lines
/// with a legend, structure outlines, and axes in mm (patient coordinates, as DICOM gives them). The
/// plane is the dose grid's voxel plane nearest to the requested position.
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

    /// A structure's outline in the plane: lines in the plane's (across, up-or-down) cm.
    public struct Outline: Sendable {
        /// The structure's name.
        public var name: String
        /// Lines as (horizontal, vertical) points in cm, in the plane's axes.
        public var lines: [[(Double, Double)]]
        /// Whether each line is a polygon to close (contours) or already runs its whole length (traced).
        public var closed: Bool

        /// Creates an outline from closed polygons (e.g. a structure set's contours on an axial plane).
        public init(name: String, polygons: [[(Double, Double)]]) {
            self.name = name
            self.lines = polygons
            self.closed = true
        }

        /// The outline of a structure mask where the plane cuts it: the 50 % occupancy line, traced by
        /// marching squares between the mask's voxel centres in its voxel plane nearest to the plane
        /// (any plane orientation; the mask grid must be aligned with the axes). Empty when the plane
        /// misses the mask's grid.
        public init(name: String, mask: StructureMask, plane: Plane) {
            self.name = name
            self.closed = false
            guard let s = Samples(grid: mask.grid, plane: plane, outside: .skip, value: { Double(mask.fractions[$0]) }) else {
                self.lines = []
                return
            }
            let segments = Isolines.segments(s.values, width: s.width, height: s.height, level: 0.5).map {
                (from: (x: s.across.first + $0.a.x * s.across.step, y: s.down.first + $0.a.y * s.down.step),
                    to: (x: s.across.first + $0.b.x * s.across.step, y: s.down.first + $0.b.y * s.down.step))
            }
            self.lines = Isolines.chained(segments).map { $0.map { ($0.x, $0.y) } }
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
    /// The CT drawn in grey under the dose, if any.
    public var underlay: CTUnderlay?
    /// The title.
    public var title: String
    /// The canvas width in px (the height follows the plane's aspect ratio).
    public var widthPX: Double = 760

    /// Creates a figure.
    public init(
        dose: DoseGrid, plane: Plane, isodoseLevelsGy: [Double], referenceDoseGy: Double? = nil,
        outlines: [Outline] = [], underlay: CTUnderlay? = nil, title: String
    ) {
        self.dose = dose
        self.plane = plane
        self.isodoseLevelsGy = isodoseLevelsGy
        self.referenceDoseGy = referenceDoseGy
        self.outlines = outlines
        self.underlay = underlay
        self.title = title
    }

    /// Outline colours: the isodose palette without black, which vanishes on dark lung; outlines are
    /// always dashed (isodose lines are solid), and the dash pattern changes once the colours are used.
    public static let outlineColours = Array(Palette.isodose.dropLast())
    /// Outline dash patterns, cycled after the colours.
    static let outlineDashes = ["6 3", "2 2", "8 3 2 3"]

    /// A voxel plane of a grid: voxel-centre values, rows top to bottom, and each axis's first centre and
    /// step in cm as drawn (a step is negative where the axis points up).
    struct Samples {
        /// What to do when the plane lies beyond the grid: use the nearest voxel plane, or give nothing.
        enum Outside { case clamp, skip }
        let width: Int, height: Int
        let values: [Double]
        let across: (label: String, first: Double, step: Double)
        let down: (label: String, first: Double, step: Double)
        /// The axis numbers (0 x, 1 y, 2 z) across, down and through the plane.
        let acrossAxis: Int, downAxis: Int, fixedAxis: Int
        /// The centre of the sampled voxel plane along the fixed axis, cm.
        let fixedCM: Double

        init?(grid g: VoxelGrid, plane: Plane, outside: Outside, value: (Int) -> Double) {
            // Each axis as (label, origin, spacing, count); a plane picks the across and down axes.
            let axes = [
                ("x", g.originCM.x, g.spacingCM.x, g.counts.x), ("y", g.originCM.y, g.spacingCM.y, g.counts.y),
                ("z", g.originCM.z, g.spacingCM.z, g.counts.z),
            ]
            let (acrossAxis, downAxis, fixedAxis, position, downIsUp): (Int, Int, Int, Double, Bool) =
                switch plane {
                case .axial(let z): (0, 1, 2, z, false)
                case .coronal(let y): (0, 2, 1, y, true)
                case .sagittal(let x): (1, 2, 0, x, true)
                }
            let f = axes[fixedAxis]
            let index = Int(((position - f.1) / f.2).rounded(.down))
            guard outside == .clamp || (0..<f.3).contains(index) else { return nil }
            let fixed = min(f.3 - 1, max(0, index))
            let across = axes[acrossAxis], down = axes[downAxis]
            var values: [Double] = []
            values.reserveCapacity(across.3 * down.3)
            for row in 0..<down.3 {
                let d = downIsUp ? down.3 - 1 - row : row
                for a in 0..<across.3 {
                    var ijk = [0, 0, 0]
                    ijk[acrossAxis] = a
                    ijk[downAxis] = d
                    ijk[fixedAxis] = fixed
                    values.append(value(g.index(ijk[0], ijk[1], ijk[2])))
                }
            }
            let firstDown = down.1 + (downIsUp ? Double(down.3) - 0.5 : 0.5) * down.2
            self.width = across.3
            self.height = down.3
            self.values = values
            self.across = (across.0, across.1 + 0.5 * across.2, across.2)
            self.down = (down.0, firstDown, downIsUp ? -down.2 : down.2)
            (self.acrossAxis, self.downAxis, self.fixedAxis) = (acrossAxis, downAxis, fixedAxis)
            self.fixedCM = f.1 + (Double(fixed) + 0.5) * f.2
        }

        /// The patient point (cm) at plane coordinates (across, down).
        func point(across a: Double, down d: Double) -> Vec3 {
            var c = [0.0, 0.0, 0.0]
            c[acrossAxis] = a
            c[downAxis] = d
            c[fixedAxis] = fixedCM
            return Vec3(c[0], c[1], c[2])
        }
    }

    /// The dose plane (the nearest voxel plane; clamped to the grid).
    func samples() -> Samples {
        Samples(grid: dose.grid, plane: plane, outside: .clamp) { dose.doseGy[$0] }!
    }

    /// The wash colour of a dose fraction of the maximum: viridis (van der Walt & Smith, matplotlib 1.5,
    /// 2015; Nuñez et al., PLoS ONE 13:e0199239, 2018, doi 10.1371/journal.pone.0199239, show it readable
    /// with colour-vision deficiencies), interpolated between its values at 0, ¼, ½, ¾ and 1. Its
    /// colours are all saturated, so the wash stays apart from the grey CT under it. Nil below
    /// `threshold` (drawn white, or transparent over a CT).
    static func washColour(_ fraction: Double, threshold: Double = 0.05) -> (UInt8, UInt8, UInt8)? {
        guard fraction >= threshold else { return nil }
        let anchors: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        let t = min(1, max(0, (fraction - threshold) / (1 - threshold))) * Double(anchors.count - 1)
        let n = min(anchors.count - 2, Int(t))
        let f = t - Double(n)
        let a = anchors[n], b = anchors[n + 1]
        func mix(_ p: Double, _ q: Double) -> UInt8 { UInt8((p + (q - p) * f).rounded()) }
        return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    /// Over a CT the wash starts at 10 % of the maximum and is 55 % opaque, so that anatomy shows through.
    static let underlaidWashThreshold = 0.1, underlaidWashAlpha: UInt8 = 140

    /// The figure as an SVG document.
    /// - Throws: `ReportError.badPlot` when the dose is zero everywhere in the plane.
    public func svg() throws -> String {
        let s = samples()
        guard let peak = s.values.max(), peak > 0 else { throw ReportError.badPlot("'\(title)': no dose in this plane") }
        let legendW = 190.0, bottom = 56.0
        let frame = PlaneLayout(s, left: 70, top: 44, plotWidthPX: widthPX - 70 - legendW)
        let (left, top, plotW, plotH) = (frame.left, frame.top, frame.plotW, frame.plotH)
        let (x, y) = (frame.x, frame.y)
        var svg = SVGWriter(width: widthPX, height: max(top + plotH + bottom, top + 30 + legendHeight))
        svg.text(title, x: left, y: 26, size: 16, cssClass: "title", weight: "bold")

        if let underlay {
            let image = underlay.image(s, frame)
            svg.image(
                png: [UInt8](PNGEncoder.encode(width: image.width, height: image.height, grey: image.grey)), x: left, y: top,
                width: plotW, height: plotH, cssClass: "ct")
            var rgba = [UInt8]()
            rgba.reserveCapacity(4 * s.values.count)
            for v in s.values {
                if let c = Self.washColour(v / peak, threshold: Self.underlaidWashThreshold) {
                    rgba += [c.0, c.1, c.2, Self.underlaidWashAlpha]
                } else {
                    rgba += [0, 0, 0, 0]
                }
            }
            svg.image(
                png: [UInt8](PNGEncoder.encode(width: s.width, height: s.height, rgba: rgba)), x: left, y: top, width: plotW,
                height: plotH, cssClass: "dose-wash")
        } else {
            var rgb = [UInt8]()
            rgb.reserveCapacity(3 * s.values.count)
            for v in s.values {
                let c = Self.washColour(v / peak) ?? (255, 255, 255)
                rgb += [c.0, c.1, c.2]
            }
            svg.image(
                png: [UInt8](PNGEncoder.encode(width: s.width, height: s.height, rgb: rgb)), x: left, y: top, width: plotW,
                height: plotH, cssClass: "dose-wash")
        }

        // Sample (i, j) sits at the centre of pixel (i, j).
        func px(_ i: Double) -> Double { x(s.across.first + i * s.across.step) }
        func py(_ j: Double) -> Double { y(s.down.first + j * s.down.step) }
        var legendY = top + 10
        for (n, level) in isodoseLevelsGy.enumerated() {
            let segments = Isolines.segments(s.values, width: s.width, height: s.height, level: level)
            let colour = Palette.isodose[n % Palette.isodose.count]
            if !segments.isEmpty {
                let d = segments.map {
                    "M\(SVGWriter.format(px($0.a.x))) \(SVGWriter.format(py($0.a.y)))L\(SVGWriter.format(px($0.b.x))) \(SVGWriter.format(py($0.b.y)))"
                }.joined()
                svg.path(d, stroke: colour, width: 2, cssClass: "isodose")
            }
            svg.line(x1: left + plotW + 14, y1: legendY, x2: left + plotW + 40, y2: legendY, stroke: colour, width: 3, cssClass: "legend-swatch")
            let percent = referenceDoseGy.map { String(format: " (%.0f %%)", 100 * level / $0) } ?? ""
            svg.text(String(format: level >= 10 ? "%.1f Gy" : "%.2f Gy", level) + percent, x: left + plotW + 46, y: legendY + 4, cssClass: "legend")
            legendY += 18
        }
        legendY += 6
        for (n, outline) in outlines.enumerated() {
            let colour = Self.outlineColours[n % Self.outlineColours.count]
            let dash = Self.outlineDashes[(n / Self.outlineColours.count) % Self.outlineDashes.count]
            for line in outline.lines where line.count >= 2 {
                let points = (outline.closed ? line + [line[0]] : line).map { p in (x: x(p.0), y: y(p.1)) }
                svg.polyline(points, stroke: colour, width: 1.5, dash: dash, cssClass: "outline", title: outline.name)
            }
            svg.polyline(
                [(left + plotW + 14, legendY), (left + plotW + 40, legendY)], stroke: colour, width: 2, dash: dash,
                cssClass: "legend-swatch outline")
            svg.text(outline.name, x: left + plotW + 46, y: legendY + 4, cssClass: "legend outline")
            legendY += 18
        }
        frame.drawFrameAndAxes(&svg)
        return svg.rendered
    }

    /// The legend's height, px, so that a flat plane still shows all of it.
    private var legendHeight: Double { 18 * Double(isodoseLevelsGy.count + outlines.count) + 6 }
}
