/// Builds an SVG 1.1 document as text: a few element kinds, attribute values and text escaped.
public struct SVGWriter: Sendable {
    /// The canvas size in px.
    public let width: Double, height: Double
    private var body: [String] = []

    /// Creates an empty canvas.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Escapes text for XML content and attribute values.
    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A coordinate or length with at most two decimals, as written into the document.
    public static func format(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    private static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.filter { !$0.1.isEmpty }.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    /// Adds a line segment.
    public mutating func line(
        x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, cssClass: String = ""
    ) {
        body.append(
            "<line" + Self.attributes([
                ("class", cssClass), ("x1", Self.format(x1)), ("y1", Self.format(y1)), ("x2", Self.format(x2)),
                ("y2", Self.format(y2)), ("stroke", stroke), ("stroke-width", Self.format(width)),
            ]) + "/>")
    }

    /// Adds an open polyline through points (px).
    public mutating func polyline(
        _ points: [(x: Double, y: Double)], stroke: String, width: Double = 2, dash: String = "", cssClass: String = "",
        title: String = ""
    ) {
        let coordinates = points.map { "\(Self.format($0.x)),\(Self.format($0.y))" }.joined(separator: " ")
        let open =
            "<polyline" + Self.attributes([
                ("class", cssClass), ("points", coordinates), ("fill", "none"), ("stroke", stroke),
                ("stroke-width", Self.format(width)), ("stroke-dasharray", dash), ("stroke-linejoin", "round"),
            ])
        body.append(title.isEmpty ? open + "/>" : open + "><title>\(Self.escape(title))</title></polyline>")
    }

    /// Adds a path (`d` in SVG path syntax, e.g. `M 0 0 L 10 10`).
    public mutating func path(_ d: String, stroke: String, width: Double = 1.5, dash: String = "", cssClass: String = "") {
        body.append(
            "<path" + Self.attributes([
                ("class", cssClass), ("d", d), ("fill", "none"), ("stroke", stroke), ("stroke-width", Self.format(width)),
                ("stroke-dasharray", dash),
            ]) + "/>")
    }

    /// Adds a raster image embedded as a PNG data URI, stretched to the given box without smoothing.
    public mutating func image(png: [UInt8], x: Double, y: Double, width: Double, height: Double, cssClass: String = "") {
        body.append(
            "<image" + Self.attributes([
                ("class", cssClass), ("x", Self.format(x)), ("y", Self.format(y)), ("width", Self.format(width)),
                ("height", Self.format(height)), ("preserveAspectRatio", "none"), ("style", "image-rendering:pixelated"),
                ("href", "data:image/png;base64," + Base64.encode(png)),
            ]) + "/>")
    }

    /// Adds a rectangle.
    public mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String = "", cssClass: String = ""
    ) {
        body.append(
            "<rect" + Self.attributes([
                ("class", cssClass), ("x", Self.format(x)), ("y", Self.format(y)), ("width", Self.format(width)),
                ("height", Self.format(height)), ("fill", fill), ("stroke", stroke),
            ]) + "/>")
    }

    /// Adds text; `anchor` is `start`, `middle` or `end`; `rotate` turns it about its anchor point.
    public mutating func text(
        _ content: String, x: Double, y: Double, size: Double = 12, anchor: String = "start", rotate: Double = 0,
        cssClass: String = "", weight: String = ""
    ) {
        let transform = rotate == 0 ? "" : "rotate(\(Self.format(rotate)) \(Self.format(x)) \(Self.format(y)))"
        body.append(
            "<text" + Self.attributes([
                ("class", cssClass), ("x", Self.format(x)), ("y", Self.format(y)), ("font-size", Self.format(size)),
                ("text-anchor", anchor), ("transform", transform), ("font-weight", weight),
            ]) + ">\(Self.escape(content))</text>")
    }

    /// The document.
    public var rendered: String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(Self.format(width))" \
        height="\(Self.format(height))" viewBox="0 0 \(Self.format(width)) \(Self.format(height))" \
        font-family="DejaVu Sans, Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="#FFFFFF"/>

        """ + body.joined(separator: "\n") + "\n</svg>\n"
    }
}
