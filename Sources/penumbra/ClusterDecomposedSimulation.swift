import Cluster
import Foundation
import Logging
import Phantom
import Transport

/// A `simulate --decomposed N` run on the cluster (`--workers K` or `--coordinator URL`), of a beam
/// (`TransportJob`) or a phase space (`PhaseSpaceSlabJob`): one decomposed job whose units are (batch,
/// round, slab); each worker fetches the common inputs, the slabs it runs and the banks that cross into
/// them. The batches come back as Σ X_b and Σ X_b² per voxel, exactly those of the
/// in-process decomposed run, so the outputs written from them are byte-identical.
struct ClusterDecomposedSimulation {
    /// `SlabTransportExecutor.workload` or `PhaseSpaceSlabJob.workload`.
    let workload: String
    /// The job's `JobSpec.parameters`.
    let parameters: [UInt8]
    let phantom: VoxelPhantom
    /// The inputs every slab needs: the spectrum text of a spectrum beam, a phase space's two files.
    let commonInputs: [[UInt8]]
    /// The first plane of every slab but the first (`DecomposedTransport.boundaries`).
    let boundaries: [Int]
    let batches: Int
    let histories: UInt64
    let seed: UInt64
    let compute: ComputeOptions
    let logger: Logger

    /// The job description and its inputs: the common ones, then one slab input per slab.
    func spec() throws -> (spec: JobSpec, inputs: [[UInt8]]) {
        let starts = [0] + boundaries
        var inputs = commonInputs
        let firstSlabInput = inputs.count
        inputs += try SlabPhantomInput.inputs(of: phantom, boundaries: boundaries)
        let spec = JobSpec(
            workload: workload, layout: try SlabLayout(grid: phantom.grid), seed: seed,
            historyCount: histories, historiesPerUnit: histories, inputs: inputs.map { ContentDigest(of: $0) },
            parameters: parameters,
            decomposition: Decomposition(
                firstPlanes: starts.map(UInt32.init), batches: UInt32(batches),
                slabInputs: (firstSlabInput..<inputs.count).map(UInt16.init)))
        try spec.validate()
        return (spec, inputs)
    }

    /// Runs the job and returns its batches.
    func run() throws -> BatchTally {
        let (spec, inputs) = try spec()
        logger.info("decomposed job: \(boundaries.count + 1) slabs (first planes \([0] + boundaries)), \(batches) batches")
        let tally = MergedTally(try compute.run(spec, inputs: inputs, executor: AllWorkloads(), logger: logger).tally)
        return BatchTally(
            histories: tally.historyCount, batches: batches, sum: tally.energySum,
            sumOfBatchSquares: tally.energySquaredSum)
    }
}
