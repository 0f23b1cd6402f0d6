import Geometry

/// The gamma-index comparison of an evaluated dose distribution against a reference one.
///
/// For each reference voxel centre r at or above the low-dose threshold,
/// γ(r) = min over points r' of √(|r' − r|² / DTA² + (D_e(r') − D_r(r))² / ΔD²), where D_e is the
/// evaluated dose interpolated trilinearly at r' and ΔD is the dose criterion times the global
/// normalisation dose (global) or times D_r(r) (local) (Low et al., Med Phys 25:656, 1998). The points r'
/// are a cubic lattice of step DTA / `interpolationFraction` around r, visited in order of distance, and
/// the search stops once the distance alone exceeds the best γ found (Wendling et al., Med Phys
/// 34:1647, 2007) or the search radius is reached.
public struct GammaIndex: Sendable {
    /// The options used.
    public let options: GammaOptions
    /// The reference grid, on which the gamma values lie.
    public let grid: VoxelGrid
    /// γ per reference voxel (x fastest); NaN where not evaluated (below the threshold, or no evaluated
    /// dose within the search radius). Capped at `searchRadius / DTA`.
    public let gamma: [Double]
    /// The normalisation dose of global dose differences, in Gy.
    public let globalNormalisationGy: Double
    /// The number of reference points evaluated.
    public let evaluatedCount: Int
    /// The number with γ ≤ 1.
    public let passedCount: Int
    /// Reference points at or above the threshold with no evaluated dose within the search radius.
    public let outsideEvaluatedCount: Int

    /// Compares `evaluated` against `reference`.
    /// - Throws: `AnalysisError.badParameter` for bad options or a reference without dose.
    public init(reference: DoseGrid, evaluated: DoseGrid, options: GammaOptions = GammaOptions()) throws {
        try options.validate()
        let normalisation = options.globalNormalisationGy ?? reference.maxDoseGy
        guard normalisation > 0 else {
            throw AnalysisError.badParameter(
                name: "gamma reference dose", value: "0 Gy everywhere", allowed: "a reference dose with a maximum above 0")
        }
        let dta = options.distanceToAgreementCM
        let radius = options.effectiveSearchRadiusCM
        let cap = radius / dta
        let offsets = Self.searchOffsets(stepCM: dta / Double(options.interpolationFraction), radiusCM: radius)
        let threshold = options.lowDoseThresholdPercent / 100 * normalisation
        let fraction = options.doseDifferencePercent / 100
        let referenceGrid = reference.grid
        var gamma = [Double](repeating: .nan, count: referenceGrid.voxelCount)
        var evaluatedCount = 0, passedCount = 0, outsideCount = 0
        evaluated.doseGy.withUnsafeBufferPointer { evaluatedDose in
            for (index, referenceDose) in reference.doseGy.enumerated() where referenceDose >= threshold {
                let (i, j, k) = referenceGrid.ijk(ofIndex: index)
                let r = referenceGrid.centerCM(i, j, k)
                let criterion = fraction * (options.normalisation == .global ? normalisation : referenceDose)
                guard criterion > 0 else { continue }
                var best2 = Double.infinity
                for offset in offsets {
                    // Every later offset is at least this far: nothing closer than the best γ remains.
                    if offset.distance2 >= best2 * dta * dta { break }
                    guard let d = evaluated.grid.interpolate(evaluatedDose, at: r + offset.vectorCM) else { continue }
                    let dd = (d - referenceDose) / criterion
                    let g2 = offset.distance2 / (dta * dta) + dd * dd
                    if g2 < best2 { best2 = g2 }
                }
                guard best2.isFinite else {
                    outsideCount += 1
                    continue
                }
                let value = min(best2.squareRoot(), cap)
                gamma[index] = value
                evaluatedCount += 1
                if value <= 1 { passedCount += 1 }
            }
        }
        self.options = options
        self.grid = referenceGrid
        self.gamma = gamma
        self.globalNormalisationGy = normalisation
        self.evaluatedCount = evaluatedCount
        self.passedCount = passedCount
        self.outsideEvaluatedCount = outsideCount
    }

    /// The lattice points within `radiusCM`, sorted by distance (the origin first).
    static func searchOffsets(stepCM: Double, radiusCM: Double) -> [(vectorCM: Vec3, distance2: Double)] {
        let n = Int((radiusCM / stepCM + 1e-9).rounded(.down))
        let limit = Int((radiusCM * radiusCM / (stepCM * stepCM) + 1e-9).rounded(.down))
        // Bucket by the integer squared length: a sort in O(count).
        var shells = [[(Int, Int, Int)]](repeating: [], count: limit + 1)
        for c in -n...n {
            for b in -n...n {
                for a in -n...n {
                    let d2 = a * a + b * b + c * c
                    if d2 <= limit { shells[d2].append((a, b, c)) }
                }
            }
        }
        return shells.enumerated().flatMap { d2, shell in
            shell.map { a, b, c in
                (Vec3(Double(a) * stepCM, Double(b) * stepCM, Double(c) * stepCM), Double(d2) * stepCM * stepCM)
            }
        }
    }
}

// MARK: - Summaries

/// One bin of a gamma histogram.
public struct GammaHistogramBin: Sendable, Equatable, Codable {
    /// The bin's lower edge.
    public let lowerGamma: Double
    /// The bin's upper edge; nil for the last bin, which holds everything at or above its lower edge.
    public let upperGamma: Double?
    /// The number of evaluated points in the bin.
    public let count: Int
}

extension GammaIndex {
    /// The percentage of evaluated points with γ ≤ 1, or nil when none was evaluated.
    public var passRatePercent: Double? {
        evaluatedCount > 0 ? 100 * Double(passedCount) / Double(evaluatedCount) : nil
    }

    /// The evaluated γ values.
    public var evaluatedValues: [Double] { gamma.filter { !$0.isNaN } }

    /// The mean γ of the evaluated points.
    public var meanGamma: Double? {
        let values = evaluatedValues
        return values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// A γ percentile (e.g. 95), or nil when nothing was evaluated.
    public func gammaPercentile(_ percent: Double) -> Double? {
        let values = evaluatedValues.sorted()
        guard !values.isEmpty else { return nil }
        let position = min(Double(values.count - 1), max(0, percent / 100 * Double(values.count - 1)))
        let lo = Int(position)
        let hi = min(lo + 1, values.count - 1)
        return values[lo] + (values[hi] - values[lo]) * (position - Double(lo))
    }

    /// The histogram of evaluated γ values in bins of `binWidth` from 0; the last bin, starting at
    /// `upTo`, collects everything above.
    public func histogram(binWidth: Double = 0.1, upTo: Double = 2) -> [GammaHistogramBin] {
        let width = binWidth > 0 ? binWidth : 0.1
        let count = max(1, Int((upTo / width).rounded()))
        var counts = [Int](repeating: 0, count: count + 1)
        for value in gamma where !value.isNaN { counts[min(count, Int(value / width))] += 1 }
        return counts.enumerated().map { n, c in
            GammaHistogramBin(
                lowerGamma: Double(n) * width, upperGamma: n == count ? nil : Double(n + 1) * width, count: c)
        }
    }
}
