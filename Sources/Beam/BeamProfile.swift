/// A dose profile across a field (positions and doses, any normalisation) and the numbers commissioning
/// compares: 50 % edges, 80 %–20 % penumbra, flatness, horns and, for FFF beams, unflatness. Every level is
/// relative to the central-axis dose (the mean over |x| ≤ 0.5 cm). Edges use the doses as they are (smoothing
/// would widen a 5 mm penumbra by ≈ 14 % on 2 mm voxels), interpolated by a cubic; flatness, horns and
/// unflatness use doses smoothed over three points against noise.
public struct BeamProfile: Sendable, Codable {
    /// Voxel-centre positions, cm, increasing.
    public let positionCM: [Double]
    /// Dose at each position.
    public let dose: [Double]

    /// Creates a profile.
    public init(positionCM: [Double], dose: [Double]) {
        self.positionCM = positionCM
        self.dose = dose
    }

    var smoothed: [Double] {
        dose.indices.map { i in (dose[max(i - 1, 0)] + dose[i] + dose[min(i + 1, dose.count - 1)]) / 3 }
    }

    /// The dose at `xCM` by linear interpolation, nil outside the profile.
    public func dose(atCM xCM: Double) -> Double? { PiecewiseLinear.valueWithin(at: xCM, xs: positionCM, ys: dose) }

    /// The central-axis dose: the mean over |x| ≤ 0.5 cm.
    public var centralDose: Double {
        let inner = positionCM.indices.filter { abs(positionCM[$0]) <= 0.5 + 1e-9 }
        return inner.reduce(0.0) { $0 + dose[$1] } / Double(max(inner.count, 1))
    }

    /// Where the profile falls through `fraction` of the central dose, going out from the axis on
    /// the negative and positive side (linear interpolation), cm; nil if it never does.
    public func crossings(_ fraction: Double) -> (negative: Double, positive: Double)? {
        let s = dose, level = fraction * centralDose
        guard let centre = positionCM.indices.min(by: { abs(positionCM[$0]) < abs(positionCM[$1]) }) else { return nil }
        // The crossing on the segment a → b, on the cubic (Catmull–Rom) through the four voxels around it:
        // linear interpolation on 0.2 cm voxels would widen a 5 mm penumbra by ≈ 5 %.
        func walk(_ indices: [Int]) -> Double? {
            for (n, (a, b)) in zip(indices, indices.dropFirst()).enumerated() where s[a] >= level && s[b] < level {
                let p0 = s[indices[max(n - 1, 0)]], p3 = s[indices[min(n + 2, indices.count - 1)]]
                func value(_ t: Double) -> Double {
                    let t2 = t * t, t3 = t2 * t
                    return 0.5 * (2 * s[a] + (s[b] - p0) * t + (2 * p0 - 5 * s[a] + 4 * s[b] - p3) * t2
                        + (3 * s[a] - p0 - 3 * s[b] + p3) * t3)
                }
                var lo = 0.0, hi = 1.0
                for _ in 0..<40 {
                    let mid = 0.5 * (lo + hi)
                    if value(mid) >= level { lo = mid } else { hi = mid }
                }
                return positionCM[a] + 0.5 * (lo + hi) * (positionCM[b] - positionCM[a])
            }
            return nil
        }
        guard let neg = walk(Array((0...centre).reversed())), let pos = walk(Array(centre..<s.count)) else { return nil }
        return (neg, pos)
    }

    /// Width between the 50 % points, cm.
    public var fieldWidthCM: Double? { crossings(0.5).map { $0.positive - $0.negative } }

    /// Mean of the two sides' 80 %–20 % distances, cm.
    public var penumbraCM: Double? {
        guard let a = crossings(0.8), let b = crossings(0.2) else { return nil }
        return 0.5 * ((a.negative - b.negative) + (b.positive - a.positive))
    }

    /// Doses within the central 80 % of the 50 % width.
    var flatRegion: [Double]? {
        guard let c = crossings(0.5) else { return nil }
        let mid = 0.5 * (c.negative + c.positive), half = 0.4 * (c.positive - c.negative)
        let s = smoothed
        let values = positionCM.indices.filter { abs(positionCM[$0] - mid) <= half }.map { s[$0] }
        return values.isEmpty ? nil : values
    }

    /// Flatness over the central 80 %: 100·(max − min)/(max + min), %.
    public var flatnessPercent: Double? {
        flatRegion.map { 100 * ($0.max()! - $0.min()!) / ($0.max()! + $0.min()!) }
    }

    /// Largest dose in the central 80 % over the central dose (above 1: horns).
    public var hornRatio: Double? { flatRegion.map { $0.max()! / centralDose } }

    /// Central dose over the mean dose at ±80 % of the half 50 % width (FFF "unflatness"; 1 for a flat beam).
    public var unflatness: Double? {
        guard let c = crossings(0.5) else { return nil }
        let s = smoothed
        func at(_ x: Double) -> Double { PiecewiseLinear.value(at: x, xs: positionCM, ys: s) }
        return centralDose / (0.5 * (at(0.8 * c.negative) + at(0.8 * c.positive)))
    }

    /// The mean of the three-point-smoothed doses at −`xCM` and +`xCM` over the central dose (an off-axis ratio
    /// averaged over both sides); nil if either point lies outside the profile.
    public func offAxisRatio(atCM xCM: Double) -> Double? {
        symmetricDose(atCM: xCM).map { $0 / centralDose }
    }

    /// The mean of the three-point-smoothed doses at −`xCM` and +`xCM` (linear in the doses, so profiles of parts of a
    /// beam add: `OffAxisFluenceFit`); nil if either point lies outside the profile.
    public func symmetricDose(atCM xCM: Double) -> Double? {
        let s = smoothed
        guard let minus = PiecewiseLinear.valueWithin(at: -xCM, xs: positionCM, ys: s),
              let plus = PiecewiseLinear.valueWithin(at: xCM, xs: positionCM, ys: s) else { return nil }
        return 0.5 * (minus + plus)
    }
}
