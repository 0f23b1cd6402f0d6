import Foundation

/// A minimal SVG line chart: reference as points, Penumbra as a line, and the difference in a lower panel.
struct SVGFigure {
    var title: String
    var xLabel: String
    var yLabel: String
    var x: [Double]
    var reference: [Double]
    var penumbra: [Double]
    /// Difference (Penumbra − reference) in % of the reference maximum, and its allowance band.
    var differencePercent: [Double]
    var allowancePercent: [Double]

    func render() -> String {
        let w = 720.0, h = 520.0, left = 70.0, right = 20.0, top = 40.0, mid = 330.0, bottom = 470.0
        let xmin = x.min() ?? 0, xmax = x.max() ?? 1
        let ymax = max(reference.max() ?? 1, penumbra.max() ?? 1) * 1.05
        let dmax = max(3, (differencePercent.map(abs) + allowancePercent).max() ?? 3)
        func px(_ v: Double) -> Double { left + (v - xmin) / max(xmax - xmin, 1e-12) * (w - left - right) }
        func py(_ v: Double) -> Double { mid - v / ymax * (mid - top) }
        func pd(_ v: Double) -> Double { (mid + 30 + bottom) / 2 - v / dmax * (bottom - mid - 30) / 2 }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(w / 2)\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">\(title)</text>\n"
        s += "<line x1=\"\(left)\" y1=\"\(mid)\" x2=\"\(w - right)\" y2=\"\(mid)\" stroke=\"black\"/>"
        s += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(mid)\" stroke=\"black\"/>\n"
        s += "<text x=\"15\" y=\"\((top + mid) / 2)\" transform=\"rotate(-90 15 \((top + mid) / 2))\" text-anchor=\"middle\">\(yLabel)</text>\n"
        for t in 0...4 {
            let v = ymax * Double(t) / 4
            s += "<text x=\"\(left - 5)\" y=\"\(py(v) + 4)\" text-anchor=\"end\">\(String(format: "%.2e", v))</text>\n"
        }
        let line = zip(x, penumbra).map { "\(px($0)),\(py($1))" }.joined(separator: " ")
        s += "<polyline fill=\"none\" stroke=\"#c03\" stroke-width=\"1.5\" points=\"\(line)\"/>\n"
        for (a, b) in zip(x, reference) { s += "<circle cx=\"\(px(a))\" cy=\"\(py(b))\" r=\"2\" fill=\"#036\"/>" }
        s += "\n<text x=\"\(w - right - 200)\" y=\"\(top + 15)\" fill=\"#036\">● reference (EGSnrc family)</text>"
        s += "<text x=\"\(w - right - 200)\" y=\"\(top + 30)\" fill=\"#c03\">— Penumbra</text>\n"
        // Difference panel.
        s += "<line x1=\"\(left)\" y1=\"\(pd(0))\" x2=\"\(w - right)\" y2=\"\(pd(0))\" stroke=\"#888\"/>\n"
        let upper = zip(x, allowancePercent).map { "\(px($0)),\(pd($1))" }.joined(separator: " ")
        let lower = zip(x, allowancePercent).map { "\(px($0)),\(pd(-$1))" }.joined(separator: " ")
        s += "<polyline fill=\"none\" stroke=\"#999\" stroke-dasharray=\"4 3\" points=\"\(upper)\"/>"
        s += "<polyline fill=\"none\" stroke=\"#999\" stroke-dasharray=\"4 3\" points=\"\(lower)\"/>\n"
        let diff = zip(x, differencePercent).map { "\(px($0)),\(pd($1))" }.joined(separator: " ")
        s += "<polyline fill=\"none\" stroke=\"#c03\" points=\"\(diff)\"/>\n"
        s += "<text x=\"\(left - 5)\" y=\"\(pd(dmax) + 4)\" text-anchor=\"end\">+\(String(format: "%.1f", dmax))%</text>"
        s += "<text x=\"\(left - 5)\" y=\"\(pd(-dmax) + 4)\" text-anchor=\"end\">−\(String(format: "%.1f", dmax))%</text>\n"
        s += "<text x=\"15\" y=\"\(pd(0))\" transform=\"rotate(-90 15 \(pd(0)))\" text-anchor=\"middle\">Δ (% of D_max)</text>\n"
        for t in 0...5 {
            let v = xmin + (xmax - xmin) * Double(t) / 5
            s += "<text x=\"\(px(v))\" y=\"\(bottom + 18)\" text-anchor=\"middle\">\(String(format: "%.1f", v))</text>"
        }
        s += "\n<text x=\"\(w / 2)\" y=\"\(h - 8)\" text-anchor=\"middle\">\(xLabel)</text>\n</svg>\n"
        return s
    }
}
