import Analysis

/// A beam's-eye view: the DRR as a grey image (bone bright), the field outline, the isocentre cross-hair,
/// and the silhouettes of structures seen from the source. Axes are Xb and Yb in mm
/// at the isocentre plane (Yb up, towards the gantry), the coordinates jaw and leaf positions are given in.
public struct DRRFigure: Sendable {
    /// A structure's outline in the beam's-eye view: line segments in (Xb, Yb) cm at the isocentre plane.
    public struct Projection: Sendable {
        /// The structure's name.
        public var name: String
        /// The outline's segments, cm.
        public var segmentsCM: [(from: (x: Double, y: Double), to: (x: Double, y: Double))]
        /// Creates a projected structure from its segments.
        public init(name: String, segmentsCM: [(from: (x: Double, y: Double), to: (x: Double, y: Double))]) {
            self.name = name
            self.segmentsCM = segmentsCM
        }

        /// The silhouette of a structure: where the path length through it along the detector's rays
        /// (`DigitallyReconstructedRadiograph.project` of its occupancy) crosses `levelCM`, traced by
        /// marching squares between pixel centres.
        public init(
            name: String, pathLengthsCM: [Float], detector: DigitallyReconstructedRadiograph.Detector, levelCM: Double
        ) {
            let segments = Isolines.segments(
                pathLengthsCM.map(Double.init), width: detector.columns, height: detector.rows, level: levelCM)
            func cm(_ p: (x: Double, y: Double)) -> (x: Double, y: Double) {
                (detector.xMinCM + (p.x + 0.5) * detector.pixelCM, detector.yMaxCM - (p.y + 0.5) * detector.pixelCM)
            }
            self.init(name: name, segmentsCM: segments.map { (cm($0.a), cm($0.b)) })
        }
    }

    /// The colour of the field outline: Okabe–Ito yellow, which stands out on the grey image and is left
    /// out of the structure colours.
    public static let fieldColour = Palette.okabeIto[3]
    /// Structure colours: the isodose palette (Okabe–Ito without yellow and blue) without black, which
    /// would vanish on the dark image; dash patterns change after that.
    public static let structureColours = Array(Palette.isodose.dropLast())

    /// The radiograph.
    public var drr: DigitallyReconstructedRadiograph
    /// The open field (first control point, or the union over an arc).
    public var aperture: BeamAperture?
    /// Projected structures.
    public var structures: [Projection]
    /// The figure's title.
    public var title: String
    /// The width of the image area, px.
    public var imageWidthPX: Double = 560

    /// Creates the figure.
    public init(drr: DigitallyReconstructedRadiograph, aperture: BeamAperture?, structures: [Projection], title: String) {
        self.drr = drr
        self.aperture = aperture
        self.structures = structures
        self.title = title
    }

    /// The SVG document.
    public func svg() -> String {
        let d = drr.detector
        let left = 64.0, top = 44.0, legendW = 190.0, bottom = 56.0
        let scale = imageWidthPX / (d.xMaxCM - d.xMinCM)
        let plotW = imageWidthPX, plotH = (d.yMaxCM - d.yMinCM) * scale
        func px(_ x: Double) -> Double { left + (x - d.xMinCM) * scale }
        func py(_ y: Double) -> Double { top + (d.yMaxCM - y) * scale }
        var svg = SVGWriter(width: left + plotW + legendW, height: top + plotH + bottom)
        svg.text(title, x: left, y: 26, size: 16, cssClass: "title", weight: "bold")

        let grey = drr.greyLevels()
        var rgb = [UInt8]()
        rgb.reserveCapacity(3 * grey.count)
        for g in grey { rgb += [g, g, g] }
        svg.image(
            png: [UInt8](PNGEncoder.encode(width: d.columns, height: d.rows, rgb: rgb)), x: left, y: top, width: plotW,
            height: plotH, cssClass: "drr")

        var legend: [(label: String, colour: String, dash: String)] = []
        for (n, structure) in structures.enumerated() {
            let colour = Self.structureColours[n % Self.structureColours.count]
            let dash = Palette.dashes[(n / Self.structureColours.count) % Palette.dashes.count]
            for line in Isolines.chained(structure.segmentsCM) where line.count >= 2 {
                svg.polyline(
                    line.map { (x: px($0.x), y: py($0.y)) }, stroke: colour, width: 1.5, dash: dash, cssClass: "structure",
                    title: structure.name)
            }
            legend.append((structure.name, colour, dash))
        }
        if let aperture {
            let path = aperture.outlineSegmentsCM.map {
                "M\(SVGWriter.format(px($0.from.x))) \(SVGWriter.format(py($0.from.y)))"
                    + "L\(SVGWriter.format(px($0.to.x))) \(SVGWriter.format(py($0.to.y)))"
            }.joined()
            if !path.isEmpty { svg.path(path, stroke: Self.fieldColour, width: 2.5, cssClass: "field") }
            legend.insert(("field", Self.fieldColour, ""), at: 0)
        }
        // The isocentre: a cross-hair along the Xb and Yb axes over the whole image.
        svg.line(x1: px(d.xMinCM), y1: py(0), x2: px(d.xMaxCM), y2: py(0), stroke: "#FFFFFF", width: 0.75, cssClass: "crosshair")
        svg.line(x1: px(0), y1: py(d.yMinCM), x2: px(0), y2: py(d.yMaxCM), stroke: "#FFFFFF", width: 0.75, cssClass: "crosshair")
        svg.rect(x: left, y: top, width: plotW, height: plotH, fill: "none", stroke: "#000000", cssClass: "frame")

        for (n, entry) in legend.enumerated() {
            let ly = top + 10 + Double(n) * 20
            svg.polyline(
                [(left + plotW + 14, ly), (left + plotW + 40, ly)], stroke: entry.colour, width: 3, dash: entry.dash,
                cssClass: "legend-swatch")
            svg.text(entry.label, x: left + plotW + 46, y: ly + 4, cssClass: "legend")
        }
        // Ticks in mm, the unit jaw and leaf positions are given in.
        for t in LinePlot.ticks((10 * d.xMinCM)...(10 * d.xMaxCM)) {
            svg.text(LinePlot.label(t), x: px(t / 10), y: top + plotH + 16, anchor: "middle", cssClass: "tick x")
        }
        for t in LinePlot.ticks((10 * d.yMinCM)...(10 * d.yMaxCM)) {
            svg.text(LinePlot.label(t), x: left - 6, y: py(t / 10) + 4, anchor: "end", cssClass: "tick y")
        }
        svg.text("Xb at isocentre (mm)", x: left + plotW / 2, y: top + plotH + 40, size: 14, anchor: "middle", cssClass: "axis-title x")
        svg.text("Yb at isocentre (mm)", x: 18, y: top + plotH / 2, size: 14, anchor: "middle", rotate: -90, cssClass: "axis-title y")
        return svg.rendered
    }
}
