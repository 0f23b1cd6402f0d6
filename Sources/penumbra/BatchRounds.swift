import Cluster
import Phantom
import Transport

/// One beam's energy over the rounds of a decomposed plan run (`DecomposedPlanDose`), each round B
/// batches of its own size. The sums add exactly (integers); the uncertainty of the sum is the sum of
/// the rounds' variances, each from its own batches' spread, since rounds are independent: round r's
/// batch sums X_b give Var(S_r) = (B·Σ X_b² − S_r²)/(B − 1), the estimator of `BatchTally`
/// (`meanEnergyPerHistory`) before dividing by N². One round alone gives exactly `BatchTally`'s
/// relative uncertainty; batches of different rounds are never mixed in one spread (their sizes differ).
struct BatchRounds {
    /// Histories of all rounds.
    private(set) var histories: UInt64 = 0
    /// Σ energy per voxel over all rounds, in quanta (`EnergyTally.quantumMeV`).
    private(set) var energy: [UInt64]
    /// The variance of `energy`, quanta².
    private(set) var variance: [Double]

    init(voxelCount: Int) {
        energy = Array(repeating: 0, count: voxelCount)
        variance = Array(repeating: 0, count: voxelCount)
    }

    /// Adds one round's batches.
    /// - Precondition: the round covers the voxels and has at least two batches.
    mutating func add(_ round: BatchTally) {
        precondition(round.sum.count == energy.count && round.batches >= 2, "a round of ≥ 2 batches over the voxels")
        let b = Double(round.batches)
        histories += round.histories
        for v in energy.indices where round.sum[v] != 0 {
            energy[v] += round.sum[v]
            let s = Double(round.sum[v])
            variance[v] += max(0, (b * round.sumOfBatchSquares[v].nearestDouble - s * s) / (b - 1))
        }
    }

    /// Dose per history on `phantom` (the same conversion as a history-by-history tally's) with the
    /// relative uncertainty √Var / Σ.
    func dose(on phantom: VoxelPhantom) -> DoseDistribution {
        let sums = BatchTally(
            histories: histories, batches: 1, sum: energy, sumOfBatchSquares: Array(repeating: 0, count: energy.count))
        let perHistory = DoseDistribution(batches: sums, phantom: phantom)
        let relative = energy.indices.map { v in
            energy[v] > 0 && perHistory.doseGyPerHistory[v] > 0 ? variance[v].squareRoot() / Double(energy[v]) : 0
        }
        return DoseDistribution(
            grid: perHistory.grid, doseGyPerHistory: perHistory.doseGyPerHistory, relativeUncertainty: relative,
            quantity: perHistory.quantity)
    }
}
