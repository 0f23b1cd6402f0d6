/// Contour lines of a sampled 2-D field by marching squares: for each cell of four neighbouring samples,
/// the level's crossings on the cell edges, found by linear interpolation, joined into segments.
public enum Isolines {
    /// The segments where `values` crosses `level`, in sample coordinates (x = column, y = row; sample
    /// (i, j) is at (i, j)). Saddle cells are resolved by the cell's mean value.
    /// - Parameters:
    ///   - values: `width × height` samples, rows in order, x fastest.
    public static func segments(_ values: [Double], width: Int, height: Int, level: Double)
        -> [(a: (x: Double, y: Double), b: (x: Double, y: Double))]
    {
        guard width > 1, height > 1, values.count == width * height else { return [] }
        var result: [(a: (x: Double, y: Double), b: (x: Double, y: Double))] = []
        func crossing(_ x0: Double, _ y0: Double, _ v0: Double, _ x1: Double, _ y1: Double, _ v1: Double)
            -> (x: Double, y: Double)
        {
            let t = (level - v0) / (v1 - v0)
            return (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
        }
        for j in 0..<(height - 1) {
            for i in 0..<(width - 1) {
                // Corners counter-clockwise from (i, j): a, b, c, d.
                let a = values[i + width * j], b = values[i + 1 + width * j]
                let c = values[i + 1 + width * (j + 1)], d = values[i + width * (j + 1)]
                let x = Double(i), y = Double(j)
                // The crossing on each edge whose ends lie on opposite sides of the level.
                var points: [(x: Double, y: Double)] = []
                if (a >= level) != (b >= level) { points.append(crossing(x, y, a, x + 1, y, b)) }
                if (b >= level) != (c >= level) { points.append(crossing(x + 1, y, b, x + 1, y + 1, c)) }
                if (c >= level) != (d >= level) { points.append(crossing(x + 1, y + 1, c, x, y + 1, d)) }
                if (d >= level) != (a >= level) { points.append(crossing(x, y + 1, d, x, y, a)) }
                if points.count == 2 {
                    result.append((points[0], points[1]))
                } else if points.count == 4 {
                    // Saddle: pair the crossings so that the high corners are joined when the centre is high.
                    let centreHigh = (a + b + c + d) / 4 >= level
                    if centreHigh == (a >= level) {
                        result.append((points[0], points[1]))
                        result.append((points[2], points[3]))
                    } else {
                        result.append((points[0], points[3]))
                        result.append((points[1], points[2]))
                    }
                }
            }
        }
        return result
    }
}
