import Analysis

/// A plane of a gamma map: each reference voxel coloured by its γ class (two blues for pass, orange and
/// vermillion for fail; Okabe–Ito colours, told apart by colour-blind readers), grey where γ was not
/// evaluated (below the low-dose threshold), the γ = 1 line in black, optionally over the CT; axes in mm.
public struct GammaMapFigure: Sendable {
    /// The γ classes: upper bound (exclusive; the last is open), colour, legend label.
    public static let classes: [(upper: Double, colour: (UInt8, UInt8, UInt8), label: String)] = [
        (0.5, (0x56, 0xB4, 0xE9), "γ < 0.5"), (1, (0x00, 0x72, 0xB2), "0.5 ≤ γ ≤ 1"),
        (1.5, (0xE6, 0x9F, 0x00), "1 < γ < 1.5"), (.infinity, (0xD5, 0x5E, 0x00), "γ ≥ 1.5"),
    ]
    /// The colour of voxels not evaluated: light grey, opaque without a CT and transparent over one.
    static let notEvaluated: (UInt8, UInt8, UInt8) = (0xDD, 0xDD, 0xDD)

    /// The gamma result (values on the reference dose grid).
    public var gamma: GammaIndex
    /// The plane.
    public var plane: DoseSliceFigure.Plane
    /// The CT drawn in grey underneath, if any.
    public var underlay: CTUnderlay?
    /// The title.
    public var title: String
    /// The canvas width in px.
    public var widthPX: Double = 760

    /// Creates a gamma map figure.
    public init(gamma: GammaIndex, plane: DoseSliceFigure.Plane, underlay: CTUnderlay? = nil, title: String) {
        self.gamma = gamma
        self.plane = plane
        self.underlay = underlay
        self.title = title
    }

    /// The class index of a γ value (nil: not evaluated). γ = 1 passes (Low et al., Med Phys 25:656, 1998).
    static func classIndex(_ g: Double) -> Int? {
        guard !g.isNaN else { return nil }
        if g <= 1 { return g < 0.5 ? 0 : 1 }
        return g < 1.5 ? 2 : 3
    }

    /// The SVG document.
    /// - Throws: `ReportError.badPlot` when no point of the plane was evaluated.
    public func svg() throws -> String {
        let s = DoseSliceFigure.Samples(grid: gamma.grid, plane: plane, outside: .clamp) { gamma.gamma[$0] }!
        guard s.values.contains(where: { !$0.isNaN }) else { throw ReportError.badPlot("'\(title)': no γ evaluated in this plane") }
        let legendW = 190.0
        let frame = PlaneLayout(s, left: 70, top: 44, plotWidthPX: widthPX - 70 - legendW)
        var svg = SVGWriter(width: widthPX, height: max(frame.top + frame.plotH + 56, frame.top + 30 + 18 * 6))
        svg.text(title, x: frame.left, y: 26, size: 16, cssClass: "title", weight: "bold")
        if let underlay {
            let ct = underlay.image(s, frame)
            svg.image(
                png: [UInt8](PNGEncoder.encode(width: ct.width, height: ct.height, grey: ct.grey)), x: frame.left, y: frame.top,
                width: frame.plotW, height: frame.plotH, cssClass: "ct")
        }
        var rgba = [UInt8]()
        rgba.reserveCapacity(4 * s.values.count)
        for g in s.values {
            if let n = Self.classIndex(g) {
                let c = Self.classes[n].colour
                rgba += [c.0, c.1, c.2, underlay == nil ? 255 : 190]
            } else {
                let c = Self.notEvaluated
                rgba += [c.0, c.1, c.2, underlay == nil ? 255 : 0]
            }
        }
        svg.image(
            png: [UInt8](PNGEncoder.encode(width: s.width, height: s.height, rgba: rgba)), x: frame.left, y: frame.top,
            width: frame.plotW, height: frame.plotH, cssClass: "gamma")
        // The γ = 1 line, between voxel centres; not-evaluated voxels count as passing so that the
        // threshold's edge is not drawn as a failure boundary.
        let segments = Isolines.segments(s.values.map { $0.isNaN ? 0 : $0 }, width: s.width, height: s.height, level: 1)
        if !segments.isEmpty {
            func px(_ i: Double) -> Double { frame.x(s.across.first + i * s.across.step) }
            func py(_ j: Double) -> Double { frame.y(s.down.first + j * s.down.step) }
            svg.path(
                segments.map {
                    "M\(SVGWriter.format(px($0.a.x))) \(SVGWriter.format(py($0.a.y)))L\(SVGWriter.format(px($0.b.x))) \(SVGWriter.format(py($0.b.y)))"
                }.joined(), stroke: "#000000", width: 1.5, cssClass: "gamma-one")
        }
        var legendY = frame.top + 10
        let legendX = frame.left + frame.plotW + 14
        for entry in Self.classes.map({ ($0.colour, $0.label) }) + [(Self.notEvaluated, "not evaluated")] {
            let c = entry.0
            svg.rect(
                x: legendX, y: legendY - 6, width: 26, height: 12,
                fill: "#" + [c.0, c.1, c.2].map { String($0, radix: 16).leftPadded(2) }.joined(), stroke: "#000000",
                cssClass: "legend-swatch")
            svg.text(entry.1, x: legendX + 32, y: legendY + 4, cssClass: "legend")
            legendY += 18
        }
        svg.line(x1: legendX, y1: legendY, x2: legendX + 26, y2: legendY, stroke: "#000000", width: 1.5, cssClass: "legend-swatch")
        svg.text("γ = 1", x: legendX + 32, y: legendY + 4, cssClass: "legend")
        frame.drawFrameAndAxes(&svg)
        return svg.rendered
    }
}

extension String {
    /// The string with zeros in front up to `width` characters.
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
