import Beam
import Cluster
import Foundation
import Geometry
import Logging
import Phantom
import Transport

/// `penumbra run --decomposed N`: the plan's dose with slab-decomposed transport, in this process or on
/// the cluster (`--workers K`, `--coordinator URL`; one `PlanSlabJob` per beam and round).
///
/// The rounds are those of the replicated run (`ClusterPlanDose`): the plan's histories dealt to beams by
/// `PlanJob`'s cycle, a first round, then rounds aimed at the target from the figure so far. In a round
/// each beam runs its share of the histories as `batches` batches, each to the end of its slab rounds,
/// on the streams the replicated run gives them (`PlanStreamSource`), so every voxel's energy is bit for
/// bit the replicated run's for the same histories; only the uncertainty differs: it comes from the batch
/// spread (`BatchRounds`), not history by history. The stop figure is the replicated run's: the mean
/// relative uncertainty above half the maximum dose, over voxels of at least
/// `PlanJob.minimumStopDensityGPerCM3`. Round sizes follow from the sums alone, so the result is the same
/// bits in this process and on any number of workers and threads.
struct DecomposedPlanDose {
    let request: PlanDoseRequest
    /// Slabs asked for (`--decomposed`).
    let slabs: Int
    /// Batches per beam and round (`--batches`).
    let batches: Int

    /// The dose and each slab's planes [first, end).
    func run() throws -> (result: ClusterPlanDose.Result, slabPlanes: [Range<Int>]) {
        let start = Date()
        let (job, sources) = try request.beams()
        // The replicated run transports in the phantom as its .egsphant text reads back; so does this one.
        let phantom = try EGSPhantomFile.parse(EGSPhantomFile.format(request.phantom), file: "phantom")
        // Throws `BeamError.notCalibrated` before any transport when the machine has no MU calibration.
        let scales = try sources.map { try $0.gyPerHistoryScale() }
        let nz = phantom.grid.counts.z
        let boundaries = try DecompositionOptions.boundaries(
            planes: nz, slabs: slabs, edge: TransportSettings().majorantBlockVoxels)
        let slabPlanes = zip([0] + boundaries, boundaries + [nz]).map { $0..<$1 }
        let runBeam = try request.compute.namesCluster
            ? onCluster(job, phantom: phantom, boundaries: boundaries)
            : inProcess(job, phantom: phantom, boundaries: boundaries)
        request.logger.info("decomposed plan: \(slabPlanes.count) slabs (planes \(slabPlanes)), \(batches) batches per beam and round")
        var beams = sources.map { _ in BatchRounds(voxelCount: phantom.grid.voxelCount) }
        var done: UInt64 = 0
        var rounds: [UInt64] = []
        var sigma = Double.infinity
        var doses: [DoseDistribution] = []
        var total = DoseDistribution(grid: phantom.grid, doseGyPerHistory: [], relativeUncertainty: [], quantity: .medium)
        var round = min(request.firstRoundHistories, request.maximumHistories)
        while round > 0 {
            for b in sources.indices {
                let first = job.histories(ofBeam: b, before: done)
                let count = job.histories(ofBeam: b, before: done + round) - first
                guard count > 0 else { continue }
                guard count >= UInt64(batches) else {
                    throw CommandFailure(
                        "beam \(request.deliveries[b].number) gets \(count) histories in a round of \(round), fewer than --batches "
                            + "\(batches); give a larger --first-round or fewer --batches")
                }
                beams[b].add(try runBeam(b, first, count))
            }
            done += round
            rounds.append(round)
            doses = zip(beams, scales).map { beam, scale in
                let perHistory = beam.dose(on: phantom)
                return DoseDistribution(
                    grid: phantom.grid, doseGyPerHistory: perHistory.doseGyPerHistory.map { $0 * scale },
                    relativeUncertainty: perHistory.relativeUncertainty, quantity: perHistory.quantity)
            }
            total = PlanDoseCalculation.sum(doses, grid: phantom.grid)
            sigma = Self.stopFigure(total, phantom: phantom)
            request.logger.info(
                "round \(rounds.count): \(done) histories, σ \(String(format: "%.2f", 100 * sigma)) % (target \(String(format: "%.2f", 100 * request.targetUncertainty)) %)"
            )
            if sigma <= request.targetUncertainty { break }
            round = PlanDoseCalculation.nextRound(
                done: done, sigma: sigma, target: request.targetUncertainty, maximum: request.maximumHistories,
                smallest: request.firstRoundHistories)
        }
        let result = ClusterPlanDose.Result(
            beamDoses: doses, total: total, histories: done, seconds: Date().timeIntervalSince(start),
            relativeUncertainty: sigma, rounds: rounds)
        return (result, slabPlanes)
    }

    /// Runs `count` histories of beam `b` from its history `first` as `batches` batches.
    typealias BeamRound = (_ b: Int, _ first: UInt64, _ count: UInt64) throws -> BatchTally

    /// In this process: one simulation of all beams, cut once into slabs; each batch run to the end of its
    /// rounds on `compute.threads` threads (`DecomposedTransport`).
    private func inProcess(_ job: PlanJob, phantom: VoxelPhantom, boundaries: [Int]) throws -> BeamRound {
        let simulation = try PlanSlabJob.simulation(plan: job, planBytes: request.planBytes, on: phantom)
        let transport = try DecomposedTransport(simulation: simulation, boundaries: boundaries)
        let split = Decomposition(firstPlanes: [0], batches: UInt32(batches), slabInputs: [0])
        return { [batches, request] b, first, count in
            let beam = PlanSlabJob(plan: job, beam: b, firstHistory: first)
            var tally = BatchTally(voxelCount: phantom.grid.voxelCount)
            for n in 0..<batches {
                let histories = split.histories(ofBatch: n, historyCount: count)
                let rounds = transport.run(histories: try beam.streams(of: histories), seed: request.seed, threads: request.compute.threads)
                tally.add(batch: rounds.energy, histories: UInt64(histories.count))
            }
            return tally
        }
    }

    /// On the cluster: one decomposed job per beam and round; the RT Plan and the slab inputs travel once
    /// per worker (content-addressed, cached), the jobs differ only in their parameters.
    private func onCluster(_ job: PlanJob, phantom: VoxelPhantom, boundaries: [Int]) throws -> BeamRound {
        let inputs = [request.planBytes] + (try SlabPhantomInput.inputs(of: phantom, boundaries: boundaries))
        let layout = try SlabLayout(grid: phantom.grid)
        let decomposition = Decomposition(
            firstPlanes: ([0] + boundaries).map(UInt32.init), batches: UInt32(batches),
            slabInputs: (1..<inputs.count).map(UInt16.init))
        // One executor for every beam and round: its physics and slabs are prepared once per plan.
        let executor = AllWorkloads()
        return { [request] b, first, count in
            let spec = JobSpec(
                workload: PlanSlabJob.workload, layout: layout, seed: request.seed, historyCount: count, historiesPerUnit: count,
                inputs: inputs.map { ContentDigest(of: $0) },
                parameters: try PlanSlabJob(plan: job, beam: b, firstHistory: first).parameters(),
                decomposition: decomposition)
            try spec.validate()
            let tally = MergedTally(try request.compute.run(spec, inputs: inputs, executor: executor, logger: request.logger).tally)
            return BatchTally(
                histories: tally.historyCount, batches: Int(decomposition.batches), sum: tally.energySum,
                sumOfBatchSquares: tally.energySquaredSum)
        }
    }

    /// The stop rule's figure of a plan dose: the mean relative uncertainty over voxels above half the
    /// maximum dose, counting only voxels of at least `PlanJob.minimumStopDensityGPerCM3` (as the replicated
    /// run's weights do); infinity without dose.
    static func stopFigure(_ dose: DoseDistribution, phantom: VoxelPhantom) -> Double {
        let counted = phantom.densitiesGPerCM3.indices.filter {
            phantom.densitiesGPerCM3[$0] >= PlanJob.minimumStopDensityGPerCM3
        }
        let maximum = counted.map { dose.doseGyPerHistory[$0] }.max() ?? 0
        guard maximum > 0 else { return .infinity }
        let above = counted.filter { dose.doseGyPerHistory[$0] > 0.5 * maximum }
        return above.map { dose.relativeUncertainty[$0] }.reduce(0, +) / Double(above.count)
    }
}
