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

    /// Joins segments that share end points into polylines, so that dash patterns run along a whole
    /// outline rather than restarting on every marching-squares segment. End points match when they
    /// agree to 1e-6 cm (neighbouring cells compute a shared crossing from opposite ends of the edge).
    public static func chained(
        _ segments: [(from: (x: Double, y: Double), to: (x: Double, y: Double))]
    ) -> [[(x: Double, y: Double)]] {
        struct Key: Hashable {
            let x: Int64, y: Int64
            init(_ p: (x: Double, y: Double)) {
                x = Int64((p.x * 1e6).rounded())
                y = Int64((p.y * 1e6).rounded())
            }
        }
        var byEnd: [Key: [Int]] = [:]
        for (n, s) in segments.enumerated() {
            byEnd[Key(s.from), default: []].append(n)
            byEnd[Key(s.to), default: []].append(n)
        }
        var used = [Bool](repeating: false, count: segments.count)
        var lines: [[(x: Double, y: Double)]] = []
        // Extends a line from its last point through unused segments meeting there.
        func extend(_ line: inout [(x: Double, y: Double)]) {
            while let next = byEnd[Key(line.last!)]?.first(where: { !used[$0] }) {
                used[next] = true
                let s = segments[next]
                line.append(Key(s.from) == Key(line.last!) ? s.to : s.from)
            }
        }
        for n in segments.indices where !used[n] {
            used[n] = true
            var forward = [segments[n].from, segments[n].to]
            extend(&forward)
            var backward = [segments[n].from]
            extend(&backward)
            lines.append(backward.reversed() + forward.dropFirst())
        }
        return lines
    }
}
