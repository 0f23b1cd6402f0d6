import ArgumentParser
import Cluster
import Foundation
import ZeroMQ

/// `penumbra result`: fetches a job's merged tallies into files.
struct ResultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "result",
        abstract: "Fetch a job's merged tallies: DIR/tally.pntally (exact) and DIR/summary.json.")

    @Argument(help: "The job id.")
    var job: UInt64

    @Option(name: .long, help: "The output directory (created if missing).")
    var out: String

    @Flag(name: .long, help: "Accept the partial result of a job that has not completed.")
    var partial = false

    @OptionGroup var address: CoordinatorAddressOptions
    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let (state, sparse, _) = try address.client(context: try Context()).fetch(jobID: job)
        let tally = MergedTally(sparse)
        guard state == .completed || partial else {
            throw ValidationError("job \(job) is \(state); wait for it, or pass --partial for what is merged so far")
        }
        let summary = try JobResultFiles.write(jobID: job, state: state, tally: tally, to: URL(fileURLWithPath: out))
        print("job \(job) \(state): \(summary.histories) histories; wrote \(out)/tally.pntally (SHA-256 \(summary.tallySHA256))")
    }
}
