extension MergedTally {
    /// The mean relative 1σ uncertainty of the dose over voxels whose dose exceeds `fraction` of the
    /// maximum, the figure `UncertaintyTarget` stops on (the DOSXYZnrc / DPM convention, PHYSICS.md §5).
    ///
    /// Dose in voxel v is Σ_g w_g(v)·Σe_g(v) over the `groups` stacked z-blocks, and its per-history
    /// variance uses Σx² = Σ_g w_g(v)²·Σe²_g(v) with the history-by-history estimator of
    /// Walters, Kawrakow & Rogers, Med. Phys. 29, 2745 (2002), eq. 3. The voxel order and arithmetic are
    /// fixed, so the same tally always gives the same value, bit for bit.
    /// - Parameters:
    ///   - fraction: voxels above this fraction of the maximum dose count, e.g. 0.5.
    ///   - weights: dose per energy of each voxel of the stacked grid, or nil for 1.
    ///   - groups: stacked z-blocks (1: none).
    /// - Returns: the mean relative uncertainty, or infinity with fewer than two histories or no dose.
    public func meanRelativeUncertainty(aboveFraction fraction: Double, weights: [Float]?, groups: Int) -> Double {
        guard historyCount > 1 else { return .infinity }
        let perGroup = layout.voxelCount / groups
        var dose = [Double](repeating: 0, count: perGroup)
        var squares = [Double](repeating: 0, count: perGroup)
        for g in 0..<groups {
            for v in 0..<perGroup {
                let n = g * perGroup + v
                let w = weights.map { Double($0[n]) } ?? 1
                dose[v] += w * Double(energySum[n])
                squares[v] += w * w * energySquaredSum[n].nearestDouble
            }
        }
        let maximum = dose.max() ?? 0
        guard maximum > 0 else { return .infinity }
        let n = Double(historyCount)
        var total = 0.0
        var counted = 0
        for v in 0..<perGroup where dose[v] > fraction * maximum {
            let mean = dose[v] / n
            let variance = max(squares[v] / n - mean * mean, 0) / (n - 1)
            total += variance.squareRoot() / mean
            counted += 1
        }
        return total / Double(counted)
    }
}
