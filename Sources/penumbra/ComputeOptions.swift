import ArgumentParser
import Cluster
import Foundation
import Logging

/// Where a compute command (`simulate`, `run`) runs its job: on N workers embedded in this process
/// (`--workers N`, the cluster's code path over `inproc://`) or on a running cluster
/// (`--coordinator URL`). Both give the same merged tally, bit for bit, so the same outputs.
struct ComputeOptions: ParsableArguments {
    @Option(help: "Worker threads (default: all cores); embedded workers share them.")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Run on N embedded local workers (coordinator and workers in this process, the cluster's code path).")
    var workers: Int?

    @Option(help: "Run on a running cluster at this endpoint (tcp://HOST:PORT) instead of in this process.")
    var coordinator: String?

    @OptionGroup var curve: CurveClientOptions

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        guard workers == nil || coordinator == nil else {
            throw ValidationError("give --workers N or --coordinator URL, not both")
        }
    }

    /// True when the job should go through the cluster code path even for a command whose default is
    /// the in-process engine (`simulate`).
    var namesCluster: Bool { workers != nil || coordinator != nil }

    /// Embedded workers to start when no coordinator is named (1 by default: one worker using every thread).
    var embeddedWorkers: Int { workers ?? 1 }

    /// Submits a job, shows its progress on standard error and waits for it.
    /// - Returns: the final status, the merged tally of a completed job (sparse, as it came back: add it to
    ///   the tally the caller keeps) and the largest tally memory per thread its workers reported.
    /// - Throws: `ClusterError.refused` when the job ends other than completed; connection errors.
    func run(_ spec: JobSpec, inputs: [[UInt8]], executor: any UnitExecutor, logger: Logger) throws -> (
        status: JobStatus, tally: SparseTally, tallyMemory: TallyMemory?
    ) {
        let count = embeddedWorkers
        let connection = try ClusterConnection(coordinator: coordinator, curve: curve) {
            try EmbeddedCluster(
                workers: count, threadsPerWorker: max(1, threads / count), executor: executor, logger: logger)
        }
        defer { connection.shutdown() }
        let client = try ClusterClient(
            context: connection.context, endpoint: connection.endpoint, curve: connection.security,
            timeout: .seconds(60))
        let jobID = try client.submit(spec, inputs: inputs)
        logger.info(
            "job \(jobID): up to \(spec.historyCount) histories in \(spec.unitCount) units on \(connection.endpoint)")
        // A job with a target stops at an unknown checkpoint: no time left to promise.
        let start = spec.stop == nil ? ContinuousClock.now : nil
        let display = ProgressDisplay()
        let final = try client.wait(jobID: jobID) { status in display.show(progressLine(status, since: start)) }
        display.finish()
        guard final.state == .completed else {
            throw ClusterError.refused("job \(jobID) \(final.state): \(final.reason)")
        }
        if !final.reason.isEmpty { logger.info("job \(jobID): \(final.reason)") }
        let fetched = try client.fetch(jobID: jobID)
        logger.debug(
            "job \(jobID): result of \(fetched.tally.nonzeroVoxelCount) nonzero voxels of \(spec.layout.voxelCount), \(fetched.tally.byteCount) bytes of frames")
        return (final, fetched.tally, fetched.tallyMemory)
    }
}
