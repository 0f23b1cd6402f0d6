import Geometry

/// One point of a dose profile (a depth-dose curve or a lateral profile).
public struct ProfileSample: Sendable, Equatable, Codable {
    /// The point, in cm.
    public let pointCM: Vec3
    /// The distance from the profile's start, in cm.
    public let distanceCM: Double
    /// The interpolated dose, in Gy, or nil where the point lies outside the dose grid.
    public let doseGy: Double?

    /// Creates a sample (e.g. to measure distances from another start).
    public init(pointCM: Vec3, distanceCM: Double, doseGy: Double?) {
        self.pointCM = pointCM
        self.distanceCM = distanceCM
        self.doseGy = doseGy
    }
}

extension DoseGrid {
    /// Samples the dose along a straight line, at `count` equally spaced points from `startCM` to `endCM`
    /// inclusive, by trilinear interpolation.
    /// - Parameters:
    ///   - startCM: the first point, in cm.
    ///   - endCM: the last point, in cm.
    ///   - count: the number of points, at least 2.
    /// - Throws: `AnalysisError.badParameter` when `count < 2` or the two ends coincide.
    public func profile(from startCM: Vec3, to endCM: Vec3, count: Int) throws -> [ProfileSample] {
        guard count >= 2 else {
            throw AnalysisError.badParameter(name: "profile point count", value: "\(count)", allowed: "2 or more")
        }
        let span = endCM - startCM
        guard span.length > 0 else {
            throw AnalysisError.badParameter(
                name: "profile end", value: "\(endCM)", allowed: "a point different from the start \(startCM)")
        }
        return (0..<count).map { n in
            let t = Double(n) / Double(count - 1)
            let point = startCM + span * t
            return ProfileSample(pointCM: point, distanceCM: span.length * t, doseGy: interpolatedDoseGy(at: point))
        }
    }

    /// Samples the dose along a line at a fixed step, in cm, from `startCM` to (at most) `endCM`.
    /// - Throws: `AnalysisError.badParameter` when the step is not positive or the ends coincide.
    public func profile(from startCM: Vec3, to endCM: Vec3, stepCM: Double) throws -> [ProfileSample] {
        guard stepCM > 0, stepCM.isFinite else {
            throw AnalysisError.badParameter(name: "profile step", value: "\(stepCM) cm", allowed: "a positive step")
        }
        let length = (endCM - startCM).length
        let intervals = max(1, Int((length / stepCM + 1e-9).rounded(.down)))
        let end = length > 0 ? startCM + (endCM - startCM) * (Double(intervals) * stepCM / length) : endCM
        return try profile(from: startCM, to: end, count: intervals + 1)
    }
}
