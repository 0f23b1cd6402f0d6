import Cluster
import Foundation
import Geometry
import Logging
import Transport
import ZeroMQ

/// A `simulate` run on the cluster code path: on embedded local workers (`--workers N`) or on a
/// running cluster (`--coordinator URL`). The merged fixed-point tally equals the single-process
/// engine's bit for bit, so the outputs written from it are byte-identical.
struct ClusterSimulation {
    let job: TransportJob
    /// The phantom text and, for a spectrum beam, the spectrum text.
    let inputs: [[UInt8]]
    let grid: VoxelGrid
    let histories: UInt64
    let seed: UInt64
    let workers: Int?
    let coordinator: String?
    let threads: Int
    let curve: CurveClientOptions
    let logger: Logger

    /// The job description: whole z planes per slab, as many as keep a dense slab well inside a frame.
    func spec() throws -> JobSpec {
        let planeBytes = grid.planeVoxelCount * 24
        let planes = max(1, min(grid.counts.z, 16, WireLimits.maximumFrameBytes / 2 / planeBytes))
        let layout = try SlabLayout(
            countX: UInt32(grid.counts.x), countY: UInt32(grid.counts.y), countZ: UInt32(grid.counts.z),
            planesPerSlab: UInt32(planes))
        // About 16 units per worker, at least 1 000 histories each: the unit size changes the
        // scheduling, never the result (each history's stream depends only on seed and index).
        let perUnit = max(1_000, histories / UInt64(16 * max(1, workers ?? 4)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let spec = JobSpec(
            workload: TransportJob.workload, layout: layout, seed: seed, historyCount: histories,
            historiesPerUnit: perUnit, inputs: inputs.map { ContentDigest(of: $0) },
            parameters: Array(try encoder.encode(job)))
        try spec.validate()
        return spec
    }

    /// Runs the job and returns the merged tally.
    func run() throws -> EnergyTally {
        let spec = try spec()
        let count = workers ?? 1
        let connection = try ClusterConnection(coordinator: coordinator, curve: curve) {
            try EmbeddedCluster(
                workers: count, threadsPerWorker: max(1, threads / count), executor: AllWorkloads(), logger: logger)
        }
        defer { connection.shutdown() }
        let client = try ClusterClient(
            context: connection.context, endpoint: connection.endpoint, curve: connection.security,
            timeout: .seconds(60))
        let jobID = try client.submit(spec, inputs: inputs)
        logger.info("job \(jobID): \(histories) histories in \(spec.unitCount) units on \(connection.endpoint)")
        let start = ContinuousClock.now
        let final = try client.wait(jobID: jobID) { status in
            FileHandle.standardError.write(Data(("\r" + progressLine(status, since: start)).utf8))
        }
        FileHandle.standardError.write(Data("\n".utf8))
        guard final.state == .completed else {
            throw ClusterError.refused("job \(jobID) \(final.state): \(final.reason)")
        }
        let tally = try client.fetch(jobID: jobID).tally
        return EnergyTally(histories: tally.historyCount, sum: tally.energySum, sumOfSquares: tally.energySquaredSum)
    }
}
