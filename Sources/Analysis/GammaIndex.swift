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
        let search = GammaSearch(
            offsets: Self.searchOffsets(stepCM: dta / Double(options.interpolationFraction), radiusCM: radius),
            distanceCriterionCM: dta, evaluatedGrid: evaluated.grid)
        let threshold = options.lowDoseThresholdPercent / 100 * normalisation
        let fraction = options.doseDifferencePercent / 100
        let referenceGrid = reference.grid
        var gamma = [Double](repeating: .nan, count: referenceGrid.voxelCount)
        var evaluatedCount = 0, passedCount = 0, outsideCount = 0
        for (index, referenceDose) in reference.doseGy.enumerated() where referenceDose >= threshold {
            let (i, j, k) = referenceGrid.ijk(ofIndex: index)
            let criterion = fraction * (options.normalisation == .global ? normalisation : referenceDose)
            guard criterion > 0 else { continue }
            let best2 = search.minimumGammaSquared(
                at: referenceGrid.centerCM(i, j, k), referenceDoseGy: referenceDose, doseCriterionGy: criterion,
                evaluatedDoseGy: evaluated.doseGy)
            guard best2.isFinite else {
                outsideCount += 1
                continue
            }
            let value = min(best2.squareRoot(), cap)
            gamma[index] = value
            evaluatedCount += 1
            if value <= 1 { passedCount += 1 }
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

// MARK: - The search

/// The search lattice in the evaluated grid's voxel units, as flat arrays, and the minimisation over it.
struct GammaSearch {
    /// Offsets along x, y, z in evaluated voxels.
    let du: [Double], dv: [Double], dw: [Double]
    /// Squared offset lengths over DTA², ascending.
    let scaledDistance2: [Double]
    let grid: VoxelGrid

    init(offsets: [(vectorCM: Vec3, distance2: Double)], distanceCriterionCM dta: Double, evaluatedGrid: VoxelGrid) {
        let s = evaluatedGrid.spacingCM
        du = offsets.map { $0.vectorCM.x / s.x }
        dv = offsets.map { $0.vectorCM.y / s.y }
        dw = offsets.map { $0.vectorCM.z / s.z }
        scaledDistance2 = offsets.map { $0.distance2 / (dta * dta) }
        grid = evaluatedGrid
    }

    /// min over the lattice of |o|²/DTA² + (D_e(r + o) − D_r)²/ΔD², visiting offsets by distance and
    /// stopping once the distance term alone reaches the best value (infinity when no lattice point lies
    /// in the evaluated grid). The evaluated dose is trilinear between voxel centres, and only points
    /// inside the hull of the centres count: unlike DVH sampling, gamma does not hold the dose constant
    /// in the outer half voxel, since a dose made up there would decide pass or fail (docs/gamma.md).
    func minimumGammaSquared(
        at r: Vec3, referenceDoseGy: Double, doseCriterionGy: Double, evaluatedDoseGy: [Double]
    ) -> Double {
        let nx = grid.counts.x, ny = grid.counts.y, nz = grid.counts.z
        let plane = nx * ny
        // Continuous voxel coordinates measured from the centre of voxel 0.
        let u0 = (r.x - grid.originCM.x) / grid.spacingCM.x - 0.5
        let v0 = (r.y - grid.originCM.y) / grid.spacingCM.y - 0.5
        let w0 = (r.z - grid.originCM.z) / grid.spacingCM.z - 0.5
        let loMax = (x: max(0, nx - 2), y: max(0, ny - 2), z: max(0, nz - 2))
        let step = (x: nx > 1 ? 1 : 0, y: ny > 1 ? nx : 0, z: nz > 1 ? plane : 0)
        let inverseCriterion = 1 / doseCriterionGy
        var best2 = Double.infinity
        du.withUnsafeBufferPointer { du in
            dv.withUnsafeBufferPointer { dv in
                dw.withUnsafeBufferPointer { dw in
                    scaledDistance2.withUnsafeBufferPointer { d2 in
                        evaluatedDoseGy.withUnsafeBufferPointer { e in
                            for n in 0..<d2.count {
                                // Every later offset is at least this far: nothing closer than the best γ remains.
                                if d2[n] >= best2 { break }
                                let u = u0 + du[n], v = v0 + dv[n], w = w0 + dw[n]
                                // Only inside the hull of the voxel centres: the dose is interpolated there,
                                // never extrapolated.
                                guard u >= 0, u <= Double(nx - 1), v >= 0, v <= Double(ny - 1), w >= 0,
                                    w <= Double(nz - 1)
                                else { continue }
                                let i = min(Int(u), loMax.x), j = min(Int(v), loMax.y), k = min(Int(w), loMax.z)
                                let tx = u - Double(i), ty = v - Double(j), tz = w - Double(k)
                                let base = i + nx * j + plane * k
                                let c00 = e[base] + (e[base + step.x] - e[base]) * tx
                                let c10 = e[base + step.y] + (e[base + step.y + step.x] - e[base + step.y]) * tx
                                let c01 = e[base + step.z] + (e[base + step.z + step.x] - e[base + step.z]) * tx
                                let b11 = base + step.y + step.z
                                let c11 = e[b11] + (e[b11 + step.x] - e[b11]) * tx
                                let c0 = c00 + (c10 - c00) * ty, c1 = c01 + (c11 - c01) * ty
                                let dd = (c0 + (c1 - c0) * tz - referenceDoseGy) * inverseCriterion
                                let g2 = d2[n] + dd * dd
                                if g2 < best2 { best2 = g2 }
                            }
                        }
                    }
                }
            }
        }
        return best2
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
