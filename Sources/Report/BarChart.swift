/// A histogram drawn as adjacent bars (gamma values, voxel uncertainties), with labelled axes, as SVG.
public struct BarChart: Sendable {
    /// One bar: its interval on the x axis and its height.
    public struct Bar: Sendable {
        /// The lower and upper edges, in x-axis units.
        public var lower: Double, upper: Double
        /// The height, in y-axis units.
        public var value: Double

        /// Creates a bar.
        public init(lower: Double, upper: Double, value: Double) {
            self.lower = lower
            self.upper = upper
            self.value = value
        }
    }

    /// The title above the chart.
    public var title: String
    /// The axes (their ranges fit the bars when nil).
    public var x: LinePlot.Axis, y: LinePlot.Axis
    /// The bars.
    public var bars: [Bar]
    /// An optional vertical marker, e.g. γ = 1, with its label.
    public var marker: (x: Double, label: String)?
    /// The canvas size in px.
    public var widthPX: Double = 640, heightPX: Double = 400

    /// Creates a chart.
    public init(title: String, x: LinePlot.Axis, y: LinePlot.Axis, bars: [Bar], marker: (x: Double, label: String)? = nil) {
        self.title = title
        self.x = x
        self.y = y
        self.bars = bars
        self.marker = marker
    }

    /// The chart as an SVG document.
    /// - Throws: `ReportError.badPlot` when there are no bars or a range is empty.
    public func svg() throws -> String {
        guard !bars.isEmpty else { throw ReportError.badPlot("'\(title)' has no bars") }
        let xr = try LinePlot.range(x, bars.flatMap { [$0.lower, $0.upper] })
        let yr = try LinePlot.range(y, bars.map(\.value) + [0])
        let left = 72.0, right = 24.0, top = 44.0, bottom = 60.0
        let plotW = widthPX - left - right, plotH = heightPX - top - bottom
        func px(_ v: Double) -> Double {
            left + (min(max(v, xr.lowerBound), xr.upperBound) - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * plotW
        }
        func py(_ v: Double) -> Double {
            top + (1 - (min(max(v, yr.lowerBound), yr.upperBound) - yr.lowerBound) / (yr.upperBound - yr.lowerBound)) * plotH
        }
        var s = SVGWriter(width: widthPX, height: heightPX)
        s.text(title, x: left, y: 26, size: 16, cssClass: "title", weight: "bold")
        for t in LinePlot.ticks(yr) {
            s.line(x1: left, y1: py(t), x2: left + plotW, y2: py(t), stroke: "#DDDDDD", cssClass: "grid")
            s.text(LinePlot.label(t), x: left - 8, y: py(t) + 4, anchor: "end", cssClass: "tick y")
        }
        for t in LinePlot.ticks(xr) {
            s.text(LinePlot.label(t), x: px(t), y: top + plotH + 18, anchor: "middle", cssClass: "tick x")
        }
        for bar in bars {
            s.rect(
                x: px(bar.lower), y: py(bar.value), width: max(0, px(bar.upper) - px(bar.lower)),
                height: max(0, py(0) - py(bar.value)), fill: Palette.colour(4), stroke: "#FFFFFF", cssClass: "bar")
        }
        if let marker {
            s.line(x1: px(marker.x), y1: top, x2: px(marker.x), y2: top + plotH, stroke: Palette.colour(5), width: 2,
                cssClass: "marker")
            s.text(marker.label, x: px(marker.x) + 4, y: top + 14, cssClass: "marker-label")
        }
        s.rect(x: left, y: top, width: plotW, height: plotH, fill: "none", stroke: "#000000", cssClass: "frame")
        s.text(x.title, x: left + plotW / 2, y: heightPX - 16, size: 14, anchor: "middle", cssClass: "axis-title x")
        s.text(y.title, x: 20, y: top + plotH / 2, size: 14, anchor: "middle", rotate: -90, cssClass: "axis-title y")
        return s.rendered
    }
}
