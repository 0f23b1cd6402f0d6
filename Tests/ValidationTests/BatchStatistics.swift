import Foundation

/// The statistical uncertainty of averaged dose quantities, from independent batches.
///
/// The history-by-history σ of each voxel is right, but one electron track deposits in several
/// neighbouring voxels, so the voxels of a 3×3 column or a profile band are positively correlated and
/// √(Σσᵢ²)/n underestimates the σ of their average. The batches (independent seeds, equal sizes) measure
/// the true variance of each averaged quantity: Var(mean) = Σ_b (q_b − q̄)² / (K(K − 1)). Its ratio to
/// the independent-voxel estimate, pooled over all depths (or all profile points inside the field), is
/// the variance factor applied to Penumbra's and the reference's averages alike (same geometry and
/// physics, so the same correlation; the reference's batches are not available). Pooling over ~60
/// quantities × (K − 1) dof makes the factor good to ≈ 6 % (K = 10).
struct BatchStatistics {
    /// Mean over voxels above 50 % of the maximum of (batch variance of the mean) / (history-by-history
    /// σ²): 1 when the per-voxel σ is right.
    let voxelChiSquare: Double
    /// Variance factors for the 3×3 central-axis averages and for profile points.
    let averageVarianceFactor: (depth: Double, profile: Double)
    let batchCount: Int

    init(merged: DoseMetrics, batches: [DoseMetrics], profileDepthsCM: [Double]) {
        let k = Double(batches.count)
        batchCount = batches.count
        func batchVariance(_ values: [Double]) -> Double {
            let mean = values.reduce(0, +) / k
            return values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (k * (k - 1))
        }
        let d = merged.dose
        let half = 0.5 * d.maximumDose
        var ratios = 0.0, count = 0.0
        for v in 0..<d.doseGyPerHistory.count where d.doseGyPerHistory[v] > half {
            let s = d.doseGyPerHistory[v] * d.relativeUncertainty[v]
            ratios += batchVariance(batches.map { $0.dose.doseGyPerHistory[v] }) / (s * s)
            count += 1
        }
        voxelChiSquare = ratios / count
        let pdd = merged.depthDose()
        let pdds = batches.map { $0.depthDose() }
        var depthRatio = 0.0, depthCount = 0.0
        for z in pdd.indices where pdd[z].sigma > 0 {
            depthRatio += batchVariance(pdds.map { $0[z].dose }) / (pdd[z].sigma * pdd[z].sigma)
            depthCount += 1
        }
        var profileRatio = 0.0, profileCount = 0.0
        for depth in profileDepthsCM {
            for alongX in [true, false] {
                let p = merged.profile(alongX: alongX, depthCM: depth)
                let ps = batches.map { $0.profile(alongX: alongX, depthCM: depth) }
                let centre = p[p.count / 2].dose
                for a in p.indices where p[a].dose > 0.2 * centre && p[a].sigma > 0 {
                    profileRatio += batchVariance(ps.map { $0[a].dose }) / (p[a].sigma * p[a].sigma)
                    profileCount += 1
                }
            }
        }
        averageVarianceFactor = (depthRatio / max(depthCount, 1), profileRatio / max(profileCount, 1))
    }

    /// One line for the case's report.
    var summary: String {
        String(format: "  statistics (%d independent batches): per-voxel batch variance / history-by-history σ² = %.3f; "
               + "variance factor of 3×3 averages %.2f (σ × %.2f), of profile points %.2f (σ × %.2f)\n",
               batchCount, voxelChiSquare, averageVarianceFactor.depth, averageVarianceFactor.depth.squareRoot(),
               averageVarianceFactor.profile, averageVarianceFactor.profile.squareRoot())
    }
}
