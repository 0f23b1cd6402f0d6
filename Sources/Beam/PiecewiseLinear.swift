/// Linear interpolation in a table whose abscissae increase: the bracket and blend that measured depth doses,
/// measured profiles and simulated profiles share.
enum PiecewiseLinear {
    /// `ys` at `x` from the pair of table points around it (the end pair outside the table); needs two points.
    static func value(at x: Double, xs: [Double], ys: [Double]) -> Double {
        let j = min(max((xs.firstIndex { $0 >= x } ?? 1) - 1, 0), xs.count - 2)
        let t = (x - xs[j]) / (xs[j + 1] - xs[j])
        return ys[j] + t * (ys[j + 1] - ys[j])
    }

    /// `ys` at `x`, or nil when `x` lies outside the table.
    static func valueWithin(at x: Double, xs: [Double], ys: [Double]) -> Double? {
        guard let first = xs.first, let last = xs.last, x >= first, x <= last else { return nil }
        return value(at: x, xs: xs, ys: ys)
    }
}
