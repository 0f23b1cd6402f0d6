import Cluster
import Foundation
import Geometry
import Logging
import Transport

/// A `simulate` run on the cluster code path. The merged fixed-point tally equals the single-process
/// engine's bit for bit, so the outputs written from it are byte-identical.
struct ClusterSimulation {
    let job: TransportJob
    /// The phantom text and, for a spectrum beam, the spectrum text.
    let inputs: [[UInt8]]
    let grid: VoxelGrid
    let histories: UInt64
    let seed: UInt64
    let compute: ComputeOptions
    let logger: Logger

    /// The job description: whole z planes per slab, as many as keep a dense slab well inside a frame.
    func spec() throws -> JobSpec {
        // Units of 1 000 histories at least: spans of units adapt to each worker's pace, and the unit
        // size changes the scheduling, never the result (each history's stream depends only on seed and index).
        let spec = JobSpec(
            workload: TransportJob.workload, layout: try SlabLayout(grid: grid), seed: seed, historyCount: histories,
            historiesPerUnit: max(1_000, histories / 100_000), inputs: inputs.map { ContentDigest(of: $0) },
            parameters: try job.parameters())
        try spec.validate()
        return spec
    }

    /// Runs the job.
    /// - Returns: the merged tally, and the largest tally memory per thread the workers reported.
    func run() throws -> (tally: EnergyTally, tallyMemory: TallyMemory?) {
        let (_, sparse, memory) = try compute.run(try spec(), inputs: inputs, executor: AllWorkloads(), logger: logger)
        let tally = MergedTally(sparse)
        return (EnergyTally(histories: tally.historyCount, sum: tally.energySum, sumOfSquares: tally.energySquaredSum), memory)
    }
}

extension SlabLayout {
    /// The layout of a dose grid: whole z planes per slab, at most 16 and as many as keep a dense slab
    /// within half a frame.
    init(grid: VoxelGrid, stackedGroups: Int = 1) throws {
        let planeBytes = grid.planeVoxelCount * 24
        let planes = max(1, min(grid.counts.z, 16, WireLimits.maximumFrameBytes / 2 / planeBytes))
        try self.init(
            countX: UInt32(grid.counts.x), countY: UInt32(grid.counts.y), countZ: UInt32(grid.counts.z * stackedGroups),
            planesPerSlab: UInt32(planes))
    }
}
