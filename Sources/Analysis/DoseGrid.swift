import Geometry

/// Absorbed dose in Gy on a voxel grid, with an optional relative standard uncertainty per voxel.
///
/// Each value is the mean dose in its voxel and is taken to sit at the voxel centre for interpolation
/// (`DoseGrid+Interpolation.swift`). Voxels are ordered x fastest, as `VoxelGrid`.
public struct DoseGrid: Sendable, Equatable {
    /// The voxel grid, in cm.
    public let grid: VoxelGrid
    /// Dose per voxel in Gy (x fastest), each finite and ≥ 0.
    public let doseGy: [Double]
    /// Relative standard uncertainty (k = 1) of each voxel's dose as a fraction (0.01 = 1 %), or nil when
    /// the dose has none (e.g. a planning-system dose). Voxels without dose carry 0.
    public let relativeUncertainty: [Double]?

    /// Creates a dose grid after checking the arrays against the grid.
    /// - Parameters:
    ///   - grid: the voxel grid, in cm.
    ///   - doseGy: one dose per voxel in Gy, x fastest.
    ///   - relativeUncertainty: one relative uncertainty per voxel, or nil.
    /// - Throws: `AnalysisError` naming the first inconsistent array or value.
    public init(grid: VoxelGrid, doseGy: [Double], relativeUncertainty: [Double]? = nil) throws {
        guard doseGy.count == grid.voxelCount else {
            throw AnalysisError.arrayLength(name: "dose", found: doseGy.count, expected: grid.voxelCount)
        }
        if let bad = doseGy.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
            throw AnalysisError.badVoxelValue(name: "dose", voxel: bad, value: doseGy[bad], allowed: "finite and ≥ 0 Gy")
        }
        if let relativeUncertainty {
            guard relativeUncertainty.count == grid.voxelCount else {
                throw AnalysisError.arrayLength(
                    name: "relative uncertainty", found: relativeUncertainty.count, expected: grid.voxelCount)
            }
            if let bad = relativeUncertainty.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
                throw AnalysisError.badVoxelValue(
                    name: "relative uncertainty", voxel: bad, value: relativeUncertainty[bad],
                    allowed: "finite and ≥ 0 (a fraction)")
            }
        }
        self.grid = grid
        self.doseGy = doseGy
        self.relativeUncertainty = relativeUncertainty
    }

    /// Creates a dose grid by evaluating a dose field at every voxel centre (used for analytic fields).
    /// - Throws: `AnalysisError` when the field gives a negative or non-finite dose.
    public init(grid: VoxelGrid, field: (Vec3) -> Double) throws {
        var dose = [Double](repeating: 0, count: grid.voxelCount)
        for k in 0..<grid.counts.z {
            for j in 0..<grid.counts.y {
                for i in 0..<grid.counts.x {
                    dose[grid.index(i, j, k)] = field(grid.centerCM(i, j, k))
                }
            }
        }
        try self.init(grid: grid, doseGy: dose)
    }

    /// The largest voxel dose, in Gy.
    public var maxDoseGy: Double { doseGy.max() ?? 0 }
}

// MARK: - Uncertainty statistics

extension DoseGrid {
    /// The mean relative uncertainty over voxels whose dose is at least `fractionOfMax` of the maximum.
    ///
    /// This is the usual Monte Carlo convention for one summary number (D > 50 % Dmax in DPM and in
    /// Chetty et al., AAPM TG-105, Med Phys 34:4818, 2007, doi 10.1118/1.2795842).
    /// - Parameter fractionOfMax: the dose fraction of the maximum, in (0, 1]; 0.5 by convention.
    /// - Returns: the mean relative uncertainty (a fraction), or nil when the grid carries no uncertainty
    ///   or no dose.
    public func meanRelativeUncertainty(aboveFractionOfMax fractionOfMax: Double = 0.5) -> Double? {
        guard let relativeUncertainty, fractionOfMax > 0, fractionOfMax <= 1 else { return nil }
        let threshold = fractionOfMax * maxDoseGy
        guard threshold > 0 else { return nil }
        var sum = 0.0
        var count = 0
        for (index, dose) in doseGy.enumerated() where dose >= threshold {
            sum += relativeUncertainty[index]
            count += 1
        }
        return count > 0 ? sum / Double(count) : nil
    }

    /// The volume, in cm³, of the dose grid that receives at least `thresholdGy`, counting each voxel
    /// by the fraction of `subsamples³` trilinear sample points at or above the threshold.
    ///
    /// This is the prescription isodose volume of conformity indices when `thresholdGy` is the
    /// prescription dose.
    public func volumeCM3(atOrAbove thresholdGy: Double, subsamples: Int = 1) -> Double {
        let n = max(1, subsamples)
        var count = 0
        for k in 0..<grid.counts.z {
            for j in 0..<grid.counts.y {
                for i in 0..<grid.counts.x {
                    if n == 1 {
                        if doseGy[grid.index(i, j, k)] >= thresholdGy { count += n * n * n }
                        continue
                    }
                    grid.forEachSubsample(i, j, k, perAxis: n) { point in
                        if (interpolatedDoseGy(at: point) ?? 0) >= thresholdGy { count += 1 }
                    }
                }
            }
        }
        return Double(count) / Double(n * n * n) * grid.voxelVolumeCM3
    }
}
