import Beam
import Cluster
import Foundation
import Geometry
import Logging
import Phantom
import Transport

/// `penumbra run`'s dose on the cluster code path (embedded workers or a running coordinator): the plan
/// in *rounds*, each one `PlanJob` over the next histories of one sequence, until the stop figure of all
/// rounds together reaches the target uncertainty or the history limit; the summed tallies are turned
/// into Gy per beam.
///
/// Why rounds and not one job with the coordinator's stop rule: that rule decides at checkpoints that
/// double (100 000 · 2ᵏ histories), so a run stops anywhere between 1× and 2× the histories it needs
/// (1.44× on average); the thorax example at 2 % needed ≈ 110 M and would have run to the 200 M limit.
/// Here the first round is small and every later one is aimed at the target from the figure so far
/// (σ² ∝ 1/N, with a margin: `PlanDoseCalculation.nextRound`). The rounds' sizes follow from the tallies
/// alone, and integer tallies add exactly, so the result is bit-identical for any number of workers
/// or threads, and equal to one job over the same histories.
struct ClusterPlanDose {
    /// Per-beam doses and their sum, Gy per fraction.
    struct Result {
        let beamDoses: [DoseDistribution]
        let total: DoseDistribution
        let histories: UInt64
        let seconds: Double
        /// The stop rule's figure for all histories run: the mean relative uncertainty above half the
        /// maximum dose, over voxels of at least `PlanJob.minimumStopDensityGPerCM3`.
        let relativeUncertainty: Double
        /// Histories of each round, in order.
        let rounds: [UInt64]
        /// One thread's tally memory, the largest the workers reported over the rounds (embedded or remote;
        /// nil when none reported, as for `--decomposed`).
        var tallyMemory: TallyMemory? = nil
    }

    let request: PlanDoseRequest

    /// Histories per unit (spans of units adapt to each worker's pace), more for history limits that
    /// would make over half the cluster's maximum unit count.
    var historiesPerUnit: UInt64 { max(1_000, request.maximumHistories / (JobSpec.maximumUnitCount / 2)) }
    func run() throws -> Result {
        let start = Date()
        let (job, sources) = try request.beams()
        // The workers transport in the phantom as its text reads back; so does the dose conversion here.
        let phantomText = Array(try EGSPhantomFile.format(request.phantom).utf8)
        let phantom = try EGSPhantomFile.parse(String(decoding: phantomText, as: UTF8.self), file: "phantom")
        // Throws `BeamError.notCalibrated` before any transport when the machine has no MU calibration.
        let weights = try job.stopWeights(phantom: phantom, sources: sources)
        let inputs = [phantomText, request.planBytes]
        let layout = try SlabLayout(grid: phantom.grid, stackedGroups: sources.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // One executor for all rounds: its prepared beams are reused (they do not depend on the round).
        let executor = AllWorkloads()
        var tally = MergedTally(layout: layout)
        var sigma = Double.infinity
        var rounds: [UInt64] = []
        var memory: TallyMemory?
        var round = min(request.firstRoundHistories, request.maximumHistories)
        while round > 0 {
            var roundJob = job
            roundJob.firstHistory = tally.historyCount
            let spec = JobSpec(
                workload: PlanJob.workload, layout: layout, seed: request.seed, historyCount: round,
                historiesPerUnit: historiesPerUnit, inputs: inputs.map { ContentDigest(of: $0) },
                parameters: Array(try encoder.encode(roundJob)))
            try spec.validate()
            let (_, part, reported) = try request.compute.run(spec, inputs: inputs, executor: executor, logger: request.logger)
            // The fetched frames are added in place: no dense copy of the round's result is made.
            try tally.add(part)
            if let reported { memory = reported.largest(with: memory) }
            rounds.append(round)
            sigma = tally.meanRelativeUncertainty(aboveFraction: 0.5, weights: weights, groups: sources.count)
            request.logger.info(
                "round \(rounds.count): \(tally.historyCount) histories, σ \(String(format: "%.2f", 100 * sigma)) % (target \(String(format: "%.2f", 100 * request.targetUncertainty)) %)"
            )
            if sigma <= request.targetUncertainty { break }
            round = PlanDoseCalculation.nextRound(
                done: tally.historyCount, sigma: sigma, target: request.targetUncertainty, maximum: request.maximumHistories,
                smallest: request.firstRoundHistories)
        }
        let n = phantom.grid.voxelCount
        let beamDoses = try sources.indices.map { b -> DoseDistribution in
            let slice = b * n..<(b + 1) * n
            let beam = EnergyTally(
                histories: job.histories(ofBeam: b, before: tally.historyCount), sum: Array(tally.energySum[slice]),
                sumOfSquares: Array(tally.energySquaredSum[slice]))
            let perHistory = DoseDistribution(tally: beam, phantom: phantom)
            let scale = try sources[b].gyPerHistoryScale()
            return DoseDistribution(
                grid: phantom.grid, doseGyPerHistory: perHistory.doseGyPerHistory.map { $0 * scale },
                relativeUncertainty: perHistory.relativeUncertainty, quantity: perHistory.quantity)
        }
        if let memory {
            request.logger.info(
                "tally per thread: \(memory.bytesPerThread) bytes of records, \(memory.touchedBytesPerThread) of them written")
        }
        return Result(
            beamDoses: beamDoses, total: PlanDoseCalculation.sum(beamDoses, grid: phantom.grid),
            histories: tally.historyCount,
            seconds: Date().timeIntervalSince(start), relativeUncertainty: sigma, rounds: rounds,
            tallyMemory: memory)
    }
}
