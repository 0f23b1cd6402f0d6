import Foundation

/// A probability density tabulated at points and linear between them, sampled exactly by inverting its
/// cumulative distribution (binary search over the points, then a quadratic inside the interval): no
/// rejection.
public struct PiecewiseLinearDensity: Sendable {
    /// The abscissae, increasing.
    public let x: [Double]
    /// The density at each point, normalised so that it integrates to 1.
    public let density: [Double]
    /// The cumulative distribution at each point (0 at the first, 1 at the last).
    public let cumulative: [Double]

    /// Tabulates a density from unnormalised, non-negative values at increasing points.
    ///
    /// If the values integrate to zero (a kinematically closed channel), the density is uniform.
    public init(x: [Double], values: [Double]) {
        precondition(x.count >= 2 && x.count == values.count, "a tabulated density needs ≥ 2 points")
        var cdf = [0.0]
        cdf.reserveCapacity(x.count)
        for i in 1..<x.count {
            cdf.append(cdf[i - 1] + 0.5 * (max(values[i], 0) + max(values[i - 1], 0)) * (x[i] - x[i - 1]))
        }
        let total = cdf[x.count - 1]
        self.x = x
        if total > 0 {
            density = values.map { max($0, 0) / total }
            cumulative = cdf.map { $0 / total }
        } else {
            let width = x[x.count - 1] - x[0]
            density = [Double](repeating: 1 / width, count: x.count)
            cumulative = x.map { ($0 - x[0]) / width }
        }
    }

    /// The value whose cumulative probability is `u` (0 < u < 1).
    @inlinable public func sample(_ u: Double) -> Double {
        Self.invert(x: x, density: density, cumulative: cumulative, first: 0, last: x.count - 1, u: u)
    }

    /// Inverts the cumulative distribution held in `x[first...last]` (and the matching density and
    /// cumulative values) at `u`: binary search for the interval, then the quadratic inside it.
    @inlinable static func invert(
        x: [Double], density: [Double], cumulative: [Double], first: Int, last: Int, u: Double
    ) -> Double {
        var lo = first
        var hi = last
        while hi - lo > 1 {
            let mid = (lo + hi) >> 1
            if cumulative[mid] <= u { lo = mid } else { hi = mid }
        }
        return solve(x: x, density: density, cumulative: cumulative, interval: lo, u: u)
    }

    /// The value at cumulative probability `u` inside the interval [x_lo, x_lo+1] that holds it.
    @inlinable static func solve(x: [Double], density: [Double], cumulative: [Double], interval lo: Int, u: Double) -> Double {
        solve(TabulatedPoint(x: x[lo], density: density[lo], cumulative: cumulative[lo]),
              TabulatedPoint(x: x[lo + 1], density: density[lo + 1], cumulative: cumulative[lo + 1]), u: u)
    }

    /// The value at cumulative probability `u` between the points `lo` and `hi` that bracket it.
    @inlinable static func solve(_ lo: TabulatedPoint, _ hi: TabulatedPoint, u: Double) -> Double {
        // Inside [x_lo, x_hi] the density is p + m (x − x_lo); solve p d + m d²/2 = u − F_lo for d in the
        // cancellation-free form d = 2r / (p + √(p² + 2 m r)).
        let p = lo.density
        let width = hi.x - lo.x
        let m = (hi.density - p) / width
        let r = u - lo.cumulative
        let root = (p * p + 2 * m * r).squareRoot()
        let d = p + root > 0 ? 2 * r / (p + root) : 0
        return lo.x + min(max(d, 0), width)
    }
}

/// One point of a tabulated density: abscissa, density and cumulative probability side by side, so that
/// a draw reads an interval's two points from one or two cache lines instead of three arrays.
public struct TabulatedPoint: Sendable {
    public var x: Double
    public var density: Double
    public var cumulative: Double

    @inlinable public init(x: Double, density: Double, cumulative: Double) {
        (self.x, self.density, self.cumulative) = (x, density, cumulative)
    }
}

/// A family of tabulated densities at nodes uniform in ln E, sampled at any energy by choosing the
/// node below or above with probabilities given by the position between them (stochastic
/// interpolation, exact for a density that varies linearly in ln E between nodes).
///
/// Consumes two uniforms: the first chooses the node, the second samples its density.
/// The tables are stored flat: node i's points are `start[i] ..< start[i + 1]` of `points`.
public struct TabulatedEnergyDensity: Sendable {
    /// The node energies.
    public let grid: EnergyGrid
    /// The points of all nodes, node after node: abscissa, normalised density, cumulative probability
    /// (0 at each node's first point, 1 at its last). One array of records rather than three arrays: a
    /// draw lands at a random point of a ≈ 1 MB table (bound Compton), and the three arrays were three
    /// cache misses (docs/performance.md, profile 5).
    public let points: [TabulatedPoint]
    /// Where each node's points start in `points`; `start[grid.count]` is the total count.
    public let start: [Int]
    /// Guide table (Chen & Asau 1974, "On generating random variates from an empirical distribution",
    /// AIIE Trans. 6:163): per node, `guideCount` buckets of equal probability; bucket k holds the last
    /// point whose cumulative probability is ≤ k/guideCount. A draw starts its search there and steps up
    /// a point or two instead of a binary search over the node (Compton sampling was 6 % of the CPU time,
    /// docs/performance.md). The interval found is the binary search's, so the samples are the same bits.
    @usableFromInline let guide: [Int32]
    /// Buckets per node: a power of two (so u·count is exact), about the number of points per node.
    @usableFromInline let guideCount: Int

    /// Builds the densities node by node.
    public init(grid: EnergyGrid, densityAt: (Double) -> PiecewiseLinearDensity) {
        self.grid = grid
        var points: [TabulatedPoint] = [], start = [0]
        for i in 0..<grid.count {
            let node = densityAt(Foundation.exp(grid.lnEnergy(i)))
            for k in node.x.indices {
                points.append(TabulatedPoint(x: node.x[k], density: node.density[k], cumulative: node.cumulative[k]))
            }
            start.append(points.count)
        }
        self.points = points
        self.start = start
        let widest = (0..<grid.count).map { start[$0 + 1] - start[$0] }.max() ?? 2
        var buckets = 1
        while buckets * 2 < widest { buckets *= 2 }
        guideCount = buckets
        var guide = [Int32](repeating: 0, count: grid.count * buckets)
        for node in 0..<grid.count {
            let last = start[node + 1] - 1
            var j = start[node]
            for k in 0..<buckets {
                let edge = Double(k) / Double(buckets)
                while j + 1 < last && points[j + 1].cumulative <= edge { j += 1 }
                guide[node * buckets + k] = Int32(j)
            }
        }
        self.guide = guide
    }

    /// The node that represents `lnEnergy` for this draw.
    @inlinable public func node<R: UniformRandomSource>(lnEnergy: Double, random: inout R) -> Int {
        let (i, f) = grid.locate(lnEnergy)
        return random.nextUniform() < f ? i + 1 : i
    }

    /// A value drawn from the node density chosen for `lnEnergy`.
    @inlinable public func sample<R: UniformRandomSource>(lnEnergy: Double, random: inout R) -> Double {
        let i = node(lnEnergy: lnEnergy, random: &random)
        let u = random.nextUniform()
        // The last point of node i whose cumulative probability is ≤ u, from the guide's bucket up.
        let last = start[i + 1] - 1
        var lo = Int(guide[i * guideCount + max(0, min(Int(u * Double(guideCount)), guideCount - 1))])
        while lo + 1 < last && points[lo + 1].cumulative <= u { lo += 1 }
        return PiecewiseLinearDensity.solve(points[lo], points[lo + 1], u: u)
    }
}
