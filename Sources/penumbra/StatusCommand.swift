import ArgumentParser
import Cluster
import ZeroMQ

/// `penumbra status`: the progress of jobs on a coordinator.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the progress of one job, or of every job, on a coordinator.")

    @Argument(help: "The job id (all jobs when omitted).")
    var job: UInt64?

    @OptionGroup var address: CoordinatorAddressOptions
    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let jobs = try address.client(context: try Context()).status(jobID: job)
        if jobs.isEmpty { print("no jobs") }
        for job in jobs { print(progressLine(job)) }
    }
}
