import Geometry

/// How a DVH samples the dose inside each structure voxel.
public struct DVHOptions: Sendable, Equatable, Codable {
    /// The largest distance between dose sample points inside a structure voxel, in cm. Each structure
    /// voxel is split into equal sub-voxels no larger than this along each axis, and the dose is
    /// interpolated trilinearly at their centres; 0.1 cm keeps the DVH of a 2.5 mm grid within 1 % of
    /// analytic values (docs/dvh.md).
    public var maximumSampleSpacingCM: Double
    /// The width of the dose bins the histogram accumulates into, in Gy; metrics interpolate inside a
    /// bin, so this bounds their resolution. Nil chooses 0.001 Gy, or 10⁻⁵ of the dose maximum when
    /// that is larger.
    public var binWidthGy: Double?

    /// Creates DVH options.
    public init(maximumSampleSpacingCM: Double = 0.1, binWidthGy: Double? = nil) {
        self.maximumSampleSpacingCM = maximumSampleSpacingCM
        self.binWidthGy = binWidthGy
    }

    /// Checks the options.
    /// - Throws: `AnalysisError.badParameter` for a non-positive spacing or bin width.
    public func validate() throws {
        guard maximumSampleSpacingCM > 0, maximumSampleSpacingCM.isFinite else {
            throw AnalysisError.badParameter(
                name: "DVH sample spacing", value: "\(maximumSampleSpacingCM) cm", allowed: "a positive length")
        }
        if let binWidthGy, !(binWidthGy > 0 && binWidthGy.isFinite) {
            throw AnalysisError.badParameter(name: "DVH bin width", value: "\(binWidthGy) Gy", allowed: "a positive dose")
        }
    }
}

/// The dose–volume histogram of one structure: how much of its volume receives each dose.
///
/// It is accumulated into fine dose bins (the differential DVH); the cumulative DVH and every metric
/// follow from them, taking the volume in a bin as spread evenly over the bin. The mean, minimum and
/// maximum dose are exact over the dose samples.
public struct DoseVolumeHistogram: Sendable, Equatable {
    /// The structure's name.
    public let structureName: String
    /// The structure's volume, in cm³ (from its fractional mask).
    public let volumeCM3: Double
    /// The part of the structure outside the dose grid, in cm³; it is counted at 0 Gy.
    public let volumeOutsideDoseGridCM3: Double
    /// The width of each dose bin, in Gy; bin `n` spans `[n·w, (n+1)·w)`.
    public let binWidthGy: Double
    /// The volume whose dose falls in each bin, in cm³ (the differential DVH).
    public let binVolumesCM3: [Double]
    /// The volume-weighted mean dose, in Gy.
    public let meanDoseGy: Double
    /// The lowest dose, in Gy: the lowest sample's dose less half the range its sub-voxel spans.
    public let minDoseGy: Double
    /// The highest dose, in Gy (a point maximum: the highest sample's dose plus half the range its
    /// sub-voxel spans; D0.03cc is the clinical "maximum").
    public let maxDoseGy: Double
    /// The volume at or above the lower edge of each bin, in cm³ (`binVolumesCM3.count + 1` values, the
    /// last 0): the cumulative DVH at the bin edges.
    let volumeAtOrAboveEdgeCM3: [Double]

    /// Computes the DVH of a structure in a dose distribution.
    ///
    /// Every structure voxel with a non-zero fraction is split into sub-voxels no larger than
    /// `options.maximumSampleSpacingCM`; the dose at each sub-voxel centre is interpolated trilinearly
    /// from the dose grid and weighted by the voxel's fraction and the sub-voxel's volume, and that
    /// volume is spread over the dose range the sub-voxel spans along the local gradient
    /// (`DoseBinAccumulator`).
    /// - Throws: `AnalysisError.emptyStructure` when the mask has no volume, or a bad option.
    public init(dose: DoseGrid, structure: StructureMask, options: DVHOptions = DVHOptions()) throws {
        try options.validate()
        let grid = structure.grid
        let perAxis = (
            x: Self.subdivisions(grid.spacingCM.x, options.maximumSampleSpacingCM),
            y: Self.subdivisions(grid.spacingCM.y, options.maximumSampleSpacingCM),
            z: Self.subdivisions(grid.spacingCM.z, options.maximumSampleSpacingCM)
        )
        // Partly occupied voxels are split at least 4 × 4 × 4 so that their inside part can be placed.
        let partialPerAxis = (x: max(4, perAxis.x), y: max(4, perAxis.y), z: max(4, perAxis.z))
        let doseCeiling = dose.maxDoseGy
        var histogram = DoseBinAccumulator(
            binWidthGy: options.binWidthGy ?? max(0.001, doseCeiling * 1e-5), expectedMaximumGy: doseCeiling)
        var total = 0.0, outside = 0.0, doseSum = 0.0
        var minDose = Double.infinity, maxDose = -Double.infinity
        var points: [Vec3] = []
        var occupancy: [Double] = []
        var shares: [Double] = []
        // The fractions as Double once, for the occupancy interpolation of partial voxels.
        let occupancyField = structure.fractions.map(Double.init)
        occupancyField.withUnsafeBufferPointer { fractions in
            for (index, fraction) in fractions.enumerated() where fraction > 0 {
                let (i, j, k) = grid.ijk(ofIndex: index)
                let split = fraction < 1 ? partialPerAxis : perAxis
                let subvoxel = Vec3(
                    grid.spacingCM.x / Double(split.x), grid.spacingCM.y / Double(split.y),
                    grid.spacingCM.z / Double(split.z))
                let subvoxelVolumeCM3 = subvoxel.x * subvoxel.y * subvoxel.z
                points.removeAll(keepingCapacity: true)
                grid.forEachSubsample(i, j, k, perAxis: split) { points.append($0) }
                if fraction < 1 {
                    // Place the voxel's fraction in the sub-voxels most likely inside the structure.
                    occupancy.removeAll(keepingCapacity: true)
                    for p in points { occupancy.append(grid.interpolate(fractions, at: p) ?? 0) }
                    Self.fillShares(&shares, occupancy: occupancy, fraction: fraction)
                }
                for (n, point) in points.enumerated() {
                    let weight = (fraction < 1 ? shares[n] : 1) * subvoxelVolumeCM3
                    guard weight > 0 else { continue }
                    var d = 0.0, halfSpread = 0.0
                    if let (dose, g) = dose.interpolatedDoseAndGradient(at: point) {
                        d = dose
                        // The dose range the sub-voxel spans: a uniform spread with the variance of the
                        // linear field's dose over the box, Σ (g_i s_i)² / 12.
                        let spanX = g.x * subvoxel.x, spanY = g.y * subvoxel.y, spanZ = g.z * subvoxel.z
                        halfSpread = 0.5 * (spanX * spanX + spanY * spanY + spanZ * spanZ).squareRoot()
                    } else {
                        outside += weight
                    }
                    histogram.add(volumeCM3: weight, lowGy: d - halfSpread, highGy: d + halfSpread)
                    total += weight
                    doseSum += weight * d
                    minDose = min(minDose, max(0, d - halfSpread))
                    maxDose = max(maxDose, d + halfSpread)
                }
            }
        }
        guard total > 0 else { throw AnalysisError.emptyStructure(name: structure.name) }
        let bins = histogram.binVolumesCM3()
        var above = [Double](repeating: 0, count: bins.count + 1)
        for n in stride(from: bins.count - 1, through: 0, by: -1) { above[n] = above[n + 1] + bins[n] }
        self.structureName = structure.name
        self.volumeCM3 = total
        self.volumeOutsideDoseGridCM3 = outside
        self.binWidthGy = histogram.binWidthGy
        self.binVolumesCM3 = bins
        self.meanDoseGy = doseSum / total
        self.minDoseGy = minDose
        self.maxDoseGy = maxDose
        self.volumeAtOrAboveEdgeCM3 = above
    }

    /// Shares each sub-voxel of a partly occupied voxel gets (each in [0, 1], summing to
    /// `fraction × count`): the whole of the sub-voxels with the highest interpolated occupancy first.
    ///
    /// A fractional mask says how much of a voxel is inside, not where. The occupancy field interpolated
    /// from the neighbouring fractions rises towards the inside, so its level sets run parallel to the
    /// structure's surface; filling the voxel's fraction from the highest occupancy down recovers the
    /// inside part exactly for a planar surface and closely for a curved one. Without this the
    /// partial voxels see the dose of the whole voxel, which biases D95 and D2 outward by up to half a
    /// voxel (docs/dvh.md).
    static func fillShares(_ shares: inout [Double], occupancy: [Double], fraction: Double) {
        let count = occupancy.count
        shares = [Double](repeating: 0, count: count)
        let order = occupancy.indices.sorted { occupancy[$0] > occupancy[$1] }
        var remaining = fraction * Double(count)
        var start = 0
        while start < count, remaining > 0 {
            // Sub-voxels of equal occupancy share alike, so that ties carry no positional bias.
            var end = start + 1
            while end < count, occupancy[order[end]] >= occupancy[order[start]] - 1e-9 { end += 1 }
            let size = Double(end - start)
            let share = min(remaining, size) / size
            for n in start..<end { shares[order[n]] = share }
            remaining -= share * size
            start = end
        }
    }

    /// The number of equal parts a voxel side is split into so that none exceeds `maximum`.
    static func subdivisions(_ spacingCM: Double, _ maximumCM: Double) -> Int {
        max(1, Int((spacingCM / maximumCM - 1e-9).rounded(.up)))
    }
}

// MARK: - Volumes and doses read off the DVH

extension DoseVolumeHistogram {
    /// The volume receiving at least `doseGy`, in cm³ (the cumulative DVH, V_x in cc).
    public func volumeCM3(atOrAbove doseGy: Double) -> Double {
        if doseGy <= minDoseGy { return volumeCM3 }
        if doseGy > maxDoseGy { return 0 }
        let position = doseGy / binWidthGy
        let n = min(binVolumesCM3.count - 1, Int(position))
        // The volume in bin n is spread evenly over the bin, between the bin edges.
        let partOfBinAbove = Double(n + 1) - position
        return volumeAtOrAboveEdgeCM3[n + 1] + binVolumesCM3[n] * max(0, min(1, partOfBinAbove))
    }

    /// The percentage of the structure's volume receiving at least `doseGy` (V_x in %).
    public func volumePercent(atOrAbove doseGy: Double) -> Double {
        100 * volumeCM3(atOrAbove: doseGy) / volumeCM3
    }

    /// The minimum dose to the hottest `volumeCM3` of the structure, in Gy (D_x cc), or nil when the
    /// structure is smaller than that volume.
    public func doseGy(hottestVolumeCM3 v: Double) -> Double? {
        guard v >= 0, v <= volumeCM3 * (1 + 1e-12) else { return nil }
        if v <= 0 { return maxDoseGy }
        // The first bin edge, from the top, whose cumulative volume reaches v.
        var n = binVolumesCM3.count - 1
        while n > 0, volumeAtOrAboveEdgeCM3[n] < v { n -= 1 }
        let binVolume = binVolumesCM3[n]
        let needed = v - volumeAtOrAboveEdgeCM3[n + 1]
        let dose = binVolume > 0 ? (Double(n + 1) - needed / binVolume) * binWidthGy : Double(n) * binWidthGy
        return min(maxDoseGy, max(minDoseGy, dose))
    }

    /// The minimum dose to the hottest `percent` % of the structure, in Gy (D_x %): D95 is
    /// `doseGy(hottestPercent: 95)`.
    public func doseGy(hottestPercent percent: Double) -> Double? {
        guard percent >= 0, percent <= 100 else { return nil }
        return doseGy(hottestVolumeCM3: volumeCM3 * percent / 100)
    }
}
