import ArgumentParser
import Cluster
import Foundation
import Logging
import ZeroMQ

/// `penumbra submit`: runs a job on a cluster or on embedded local workers.
struct SubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a job (for now the synthetic workload) and follow its progress.",
        discussion: """
            With --coordinator the job goes to a running cluster; with --workers N (the default, N = 1) \
            it runs on an embedded coordinator and N local workers in this process, over the same protocol. \
            With the same seed both give byte-identical tallies.
            """)

    @Option(name: .long, help: "Grid voxel counts as XxYxZ.")
    var grid = "32x32x32"

    @Option(name: .long, help: "z planes per slab.")
    var slabPlanes: UInt32 = 4

    @Option(name: .long, help: "Histories in the job.")
    var histories: UInt64 = 100_000

    @Option(name: .long, help: "Histories per work unit.")
    var historiesPerUnit: UInt64 = 10_000

    @Option(name: .long, help: "Seed of every history's random stream.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Priority (higher runs first).")
    var priority: Int32 = 0

    @Option(name: .long, help: "Stop at this mean relative uncertainty above 50 % of the maximum, e.g. 2% (docs/cluster.md).")
    var uncertainty: String?

    @Option(name: .long, help: "With --uncertainty: units before the first stop decision (later ones at 2×, 4×, …).")
    var firstCheckpointUnits: UInt32 = 10

    @Option(name: .long, help: "Milliseconds each unit sleeps (a test and benchmark knob for long units).")
    var unitDelayMS: UInt32 = 0

    @Option(name: .long, help: "Run on a cluster at this endpoint instead of embedded workers.")
    var coordinator: String?

    @Option(name: .long, help: "Embedded local workers (ignored with --coordinator).")
    var workers = 1

    @Flag(name: .long, help: "With --coordinator: print the job id and return without waiting.")
    var detach = false

    @Option(name: .long, help: "Write the result (tally.pntally, summary.json) into this directory when done.")
    var out: String?

    @Option(name: .long, help: "Seconds to wait for each reply from the coordinator.")
    var timeout: Double = 10

    @OptionGroup var curve: CurveClientOptions
    @OptionGroup var logging: LoggingOptions

    func spec() throws -> JobSpec {
        let counts = grid.lowercased().split(separator: "x").compactMap { UInt32($0) }
        guard counts.count == 3 else { throw ValidationError("--grid must look like 64x64x48, got '\(grid)'") }
        let spec = JobSpec(
            workload: SyntheticWorkload.name,
            layout: try SlabLayout(countX: counts[0], countY: counts[1], countZ: counts[2], planesPerSlab: slabPlanes),
            seed: seed, historyCount: histories, historiesPerUnit: historiesPerUnit, priority: priority,
            parameters: unitDelayMS > 0 ? SyntheticWorkload.parameters(unitDelayMS: unitDelayMS) : [],
            stop: try uncertainty.map {
                UncertaintyTarget(relativeUncertainty: try percentage($0, option: "--uncertainty"), firstCheckpointUnits: firstCheckpointUnits)
            })
        try spec.validate()
        return spec
    }

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "penumbra.submit")
        let spec = try spec()
        let connection = try ClusterConnection(coordinator: coordinator, curve: curve) {
            guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
            return try EmbeddedCluster(workers: workers, executor: SyntheticWorkload(), logger: logger)
        }
        defer { connection.shutdown() }
        let client = try ClusterClient(
            context: connection.context, endpoint: connection.endpoint, curve: connection.security,
            timeout: .milliseconds(Int(timeout * 1_000)))
        let jobID = try client.submit(spec)
        print("submitted job \(jobID)")
        if detach && connection.embedded == nil { return }
        let start = ContinuousClock.now
        let display = ProgressDisplay()
        let final = try client.wait(jobID: jobID) { job in display.show(progressLine(job, since: start)) }
        display.finish()
        print(progressLine(final))
        if let out {
            let (state, tally, _) = try client.fetch(jobID: jobID)
            let summary = try JobResultFiles.write(
                jobID: jobID, state: state, tally: MergedTally(tally), to: URL(fileURLWithPath: out))
            print("wrote \(out)/tally.pntally (SHA-256 \(summary.tallySHA256))")
        }
        guard final.state == .completed else { throw ExitCode.failure }
    }
}
