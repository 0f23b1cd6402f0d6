/// Places the points of a tabulated density where it needs them: few where it is smooth, many where it
/// bends, so that its linear interpolation stays within a tolerance everywhere.
///
/// A sampling table's size is its cost: a draw lands at a random point of it, and the bound-Compton table
/// of 161 nodes × 257 uniform points (≈ 1 MB per medium) missed the cache on two dependent loads per draw
/// (docs/performance.md, profile 8). Refined adaptively, the same densities fit in a fifth of that, and more
/// accurately: the uniform points were too sparse exactly where the binding correction bends the density
/// (forward scatter, s → 1), and too dense everywhere else.
public enum AdaptiveDensityPoints {
    /// Points of `density` on [`lower`, `upper`]: `initialPoints` uniform ones, then every interval halved
    /// while the chord across it misses the density at its midpoint or at either quarter point by more than
    /// `tolerance` × the largest density of the initial points, down to intervals of `smallestWidth`.
    ///
    /// Halving keeps every point on the dyadic lattice of the initial spacing, so a point found once is never
    /// moved. The result is increasing, with `lower` and `upper` as its first and last points.
    /// - Parameters:
    ///   - lower: the first abscissa.
    ///   - upper: the last abscissa (> `lower`).
    ///   - initialPoints: uniform starting points (≥ 2).
    ///   - tolerance: the largest allowed |chord − density| as a fraction of the largest density.
    ///   - smallestWidth: intervals this narrow are kept whatever their chord.
    ///   - density: the density (any normalisation, non-negative) at an abscissa.
    /// - Returns: the abscissae and the density at each.
    public static func refined(
        from lower: Double, to upper: Double, initialPoints: Int, tolerance: Double, smallestWidth: Double,
        density: (Double) -> Double
    ) -> (x: [Double], values: [Double]) {
        precondition(initialPoints >= 2 && upper > lower && tolerance > 0 && smallestWidth > 0,
                     "adaptive points need ≥ 2 initial points on a non-empty range and positive tolerances")
        let step = (upper - lower) / Double(initialPoints - 1)
        let coarse = (0..<initialPoints).map { $0 == initialPoints - 1 ? upper : lower + Double($0) * step }
        let coarseValues = coarse.map(density)
        let bound = tolerance * (coarseValues.max() ?? 0)
        var x = [lower], values = [coarseValues[0]]
        // Depth-first over each initial interval, left half first, so points come out in order.
        for i in 1..<initialPoints {
            var pending = [(a: coarse[i - 1], fa: coarseValues[i - 1], b: coarse[i], fb: coarseValues[i])]
            while let (a, fa, b, fb) = pending.popLast() {
                let m = 0.5 * (a + b)
                let fm = density(m)
                let chordMisses = { (t: Double, f: Double) in abs(fa + t * (fb - fa) - f) > bound }
                if b - a > smallestWidth
                    && (chordMisses(0.5, fm) || chordMisses(0.25, density(0.5 * (a + m)))
                        || chordMisses(0.75, density(0.5 * (m + b))))
                {
                    pending.append((m, fm, b, fb))
                    pending.append((a, fa, m, fm))
                } else {
                    x.append(b)
                    values.append(fb)
                }
            }
        }
        return (x, values)
    }
}
