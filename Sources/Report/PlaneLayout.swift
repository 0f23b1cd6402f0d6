/// Where a sampled plane (`DoseSliceFigure.Samples`) is drawn: the frame's top-left corner and a common
/// px-per-cm scale; maps plane coordinates (cm) to px and draws the frame and the axes in mm.
struct PlaneLayout {
    let left: Double, top: Double, scale: Double
    /// The frame's first edge across and its top edge down, cm; +1 when down grows downwards, −1 when up.
    let acrossStart: Double, downStart: Double, downSign: Double
    /// The plane's extent, cm (whole voxels, not just their centres).
    let spanAcross: Double, spanDown: Double
    let acrossLabel: String, downLabel: String

    /// Fits the plane's width into `plotWidthPX`.
    init(_ s: DoseSliceFigure.Samples, left: Double, top: Double, plotWidthPX: Double) {
        spanAcross = Double(s.width) * abs(s.across.step)
        spanDown = Double(s.height) * abs(s.down.step)
        (self.left, self.top, scale) = (left, top, plotWidthPX / spanAcross)
        acrossStart = s.across.first - 0.5 * s.across.step
        downStart = s.down.first - 0.5 * s.down.step
        downSign = s.down.step > 0 ? 1 : -1
        (acrossLabel, downLabel) = (s.across.label, s.down.label)
    }

    var plotW: Double { spanAcross * scale }
    var plotH: Double { spanDown * scale }
    /// Plane cm → px.
    func x(_ cm: Double) -> Double { left + (cm - acrossStart) * scale }
    func y(_ cm: Double) -> Double { top + (cm - downStart) * downSign * scale }

    /// The frame, ticks in mm along both edges, and the axis titles.
    func drawFrameAndAxes(_ svg: inout SVGWriter) {
        svg.rect(x: left, y: top, width: plotW, height: plotH, fill: "none", stroke: "#000000", cssClass: "frame")
        let downEnd = downStart + downSign * spanDown
        for t in LinePlot.ticks((10 * acrossStart)...(10 * (acrossStart + spanAcross))) {
            svg.text(LinePlot.label(t), x: x(t / 10), y: top + plotH + 16, anchor: "middle", cssClass: "tick x")
        }
        for t in LinePlot.ticks((10 * min(downStart, downEnd))...(10 * max(downStart, downEnd))) {
            svg.text(LinePlot.label(t), x: left - 6, y: y(t / 10) + 4, anchor: "end", cssClass: "tick y")
        }
        svg.text("\(acrossLabel) (mm)", x: left + plotW / 2, y: top + plotH + 40, size: 14, anchor: "middle", cssClass: "axis-title x")
        svg.text("\(downLabel) (mm)", x: 18, y: top + plotH / 2, size: 14, anchor: "middle", rotate: -90, cssClass: "axis-title y")
    }
}
