/// Energy per voxel summed over batches of histories, with the uncertainty from the spread of the batch
/// sums: what a decomposed run reports, since there a history's deposits in one voxel can arrive in
/// several rounds and a per-history square cannot be formed (docs/cluster.md, "Decomposed mode").
///
/// Sums are integers in `EnergyTally`'s quanta, so S1 is bit-identical to a whole-phantom run of the
/// same histories, and S2 = Σ_b X_b² is exact (UInt128) whatever the order batches arrive in.
public struct BatchTally: Sendable, Equatable {
    /// Histories in all batches.
    public private(set) var histories: UInt64 = 0
    /// Batches added.
    public private(set) var batches: Int = 0
    /// Σ_b X_b per voxel, in quanta (X_b: batch b's energy in the voxel).
    public private(set) var sum: [UInt64]
    /// Σ_b X_b² per voxel, in quanta².
    public private(set) var sumOfBatchSquares: [UInt128]

    /// An empty tally for `voxelCount` voxels.
    public init(voxelCount: Int) {
        sum = Array(repeating: 0, count: voxelCount)
        sumOfBatchSquares = Array(repeating: 0, count: voxelCount)
    }

    /// A tally with given sums (e.g. merged by the cluster from its batches).
    /// - Precondition: both arrays have the same length.
    public init(histories: UInt64, batches: Int, sum: [UInt64], sumOfBatchSquares: [UInt128]) {
        precondition(sum.count == sumOfBatchSquares.count, "one Σ and one Σ² per voxel")
        self.histories = histories
        self.batches = batches
        self.sum = sum
        self.sumOfBatchSquares = sumOfBatchSquares
    }

    /// Adds one batch: `energy` per voxel in quanta from `histories` histories.
    public mutating func add(batch energy: [UInt64], histories n: UInt64) {
        precondition(energy.count == sum.count, "a batch must cover the tally's voxels")
        histories += n
        batches += 1
        for v in 0..<sum.count where energy[v] != 0 {
            let x = energy[v]
            sum[v] &+= x
            let (high, low) = x.multipliedFullWidth(by: x)
            sumOfBatchSquares[v] &+= UInt128(_low: low, _high: high)
        }
    }

    /// Mean energy per history in each voxel (MeV) and its relative standard error (1σ; 0 where no
    /// energy or fewer than two batches).
    ///
    /// With B batches of N/B histories each (batch sizes differ by at most one history, which the
    /// formula neglects), the batch means y_b = X_b·B/N have mean ȳ = S1/N and
    /// s²(ȳ) = [Σ y_b²/B − ȳ²]/(B − 1) = [B·S2/N² − (S1/N)²]/(B − 1): the batch method that
    /// DOSXYZnrc used with 10 batches before the history-by-history one (Walters, Kawrakow & Rogers
    /// 2002, Med. Phys. 29:2745, compare the two).
    public func meanEnergyPerHistory() -> (energyMeV: [Double], relativeUncertainty: [Double]) {
        let n = Double(histories)
        let b = Double(batches)
        var mean = [Double](repeating: 0, count: sum.count)
        var rel = [Double](repeating: 0, count: sum.count)
        guard histories > 0 else { return (mean, rel) }
        for v in 0..<sum.count where sum[v] > 0 {
            let m = Double(sum[v]) / n
            mean[v] = m * EnergyTally.quantumMeV
            if batches > 1 {
                let variance = max(0, (b * EnergyTally.double(sumOfBatchSquares[v]) / (n * n) - m * m) / (b - 1))
                rel[v] = variance.squareRoot() / m
            }
        }
        return (mean, rel)
    }
}
