import Foundation

/// A line chart with labelled axes (quantity and unit), a 1-2-5 tick grid and a legend, as SVG.
public struct LinePlot: Sendable {
    /// One axis: what it shows and its range.
    public struct Axis: Sendable {
        /// The quantity, e.g. "Dose".
        public var label: String
        /// The unit, e.g. "Gy" or "%".
        public var unit: String
        /// The range; nil fits the data (from 0 when all data are non-negative).
        public var range: ClosedRange<Double>?

        /// Creates an axis.
        public init(label: String, unit: String, range: ClosedRange<Double>? = nil) {
            self.label = label
            self.unit = unit
            self.range = range
        }

        /// "Dose (Gy)".
        public var title: String { unit.isEmpty ? label : "\(label) (\(unit))" }
    }

    /// One line.
    public struct Series: Sendable {
        /// The legend entry.
        public var name: String
        /// Points in axis units.
        public var points: [(x: Double, y: Double)]

        /// Creates a series.
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    /// The title above the plot.
    public var title: String
    /// The axes.
    public var x: Axis, y: Axis
    /// The lines, coloured in order from `Palette`.
    public var series: [Series]
    /// The canvas size in px.
    public var widthPX: Double = 720, heightPX: Double = 480

    /// Creates a plot.
    public init(title: String, x: Axis, y: Axis, series: [Series]) {
        self.title = title
        self.x = x
        self.y = y
        self.series = series
    }

    /// Tick positions at 1, 2 or 5 × 10ⁿ covering a range with about `target` intervals.
    static func ticks(_ range: ClosedRange<Double>, target: Int = 6) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / Double(target)
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = (range.lowerBound / step).rounded(.up)
        let last = (range.upperBound / step + 1e-9).rounded(.down)
        guard first <= last else { return [] }
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    static func label(_ value: Double) -> String {
        let r = (value * 1e6).rounded() / 1e6
        return r == r.rounded() && abs(r) < 1e12 ? String(Int(r)) : String(format: "%g", r)
    }

    /// The range to draw: the axis's own, or the data's (from 0 for non-negative data, padded if flat).
    static func range(_ axis: Axis, _ values: [Double]) throws -> ClosedRange<Double> {
        if let range = axis.range {
            guard range.upperBound > range.lowerBound, range.lowerBound.isFinite, range.upperBound.isFinite else {
                throw ReportError.badPlot("axis '\(axis.title)' has an empty range \(range)")
            }
            return range
        }
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else {
            throw ReportError.badPlot("no finite data for axis '\(axis.title)'")
        }
        let lower = low >= 0 ? 0 : low
        return lower...(high > lower ? high : lower + 1)
    }

    /// The chart as an SVG document.
    /// - Throws: `ReportError.badPlot` when there is nothing to draw or an axis range is empty.
    public func svg() throws -> String {
        guard series.contains(where: { !$0.points.isEmpty }) else { throw ReportError.badPlot("'\(title)' has no data") }
        let xr = try Self.range(x, series.flatMap { $0.points.map(\.x) })
        let yr = try Self.range(y, series.flatMap { $0.points.map(\.y) })
        let left = 72.0, right = 190.0, top = 44.0, bottom = 60.0
        let plotW = widthPX - left - right, plotH = heightPX - top - bottom
        func px(_ v: Double) -> Double { left + (v - xr.lowerBound) / (xr.upperBound - xr.lowerBound) * plotW }
        func py(_ v: Double) -> Double { top + (1 - (v - yr.lowerBound) / (yr.upperBound - yr.lowerBound)) * plotH }

        var s = SVGWriter(width: widthPX, height: heightPX)
        s.text(title, x: left, y: 26, size: 16, cssClass: "title", weight: "bold")
        for t in Self.ticks(xr) {
            s.line(x1: px(t), y1: top, x2: px(t), y2: top + plotH, stroke: "#DDDDDD", cssClass: "grid")
            s.text(Self.label(t), x: px(t), y: top + plotH + 18, anchor: "middle", cssClass: "tick x")
        }
        for t in Self.ticks(yr) {
            s.line(x1: left, y1: py(t), x2: left + plotW, y2: py(t), stroke: "#DDDDDD", cssClass: "grid")
            s.text(Self.label(t), x: left - 8, y: py(t) + 4, anchor: "end", cssClass: "tick y")
        }
        s.rect(x: left, y: top, width: plotW, height: plotH, fill: "none", stroke: "#000000", cssClass: "frame")
        s.text(x.title, x: left + plotW / 2, y: heightPX - 16, size: 14, anchor: "middle", cssClass: "axis-title x")
        s.text(y.title, x: 20, y: top + plotH / 2, size: 14, anchor: "middle", rotate: -90, cssClass: "axis-title y")
        for (n, line) in series.enumerated() {
            let points = line.points.filter { $0.x.isFinite && $0.y.isFinite }.map {
                (x: px(min(max($0.x, xr.lowerBound), xr.upperBound)), y: py(min(max($0.y, yr.lowerBound), yr.upperBound)))
            }
            s.polyline(points, stroke: Palette.colour(n), dash: Palette.dash(n), cssClass: "series", title: line.name)
            let ly = top + 10 + Double(n) * 20
            s.line(
                x1: left + plotW + 14, y1: ly, x2: left + plotW + 40, y2: ly, stroke: Palette.colour(n), width: 3,
                cssClass: "legend-swatch")
            s.text(line.name, x: left + plotW + 46, y: ly + 4, cssClass: "legend")
        }
        return s.rendered
    }
}
