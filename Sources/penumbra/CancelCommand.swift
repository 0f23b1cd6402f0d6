import ArgumentParser
import Cluster
import ZeroMQ

/// `penumbra cancel`: stops a job.
struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a job; the units merged so far are kept and can be fetched.")

    @Argument(help: "The job id.")
    var job: UInt64

    @OptionGroup var address: CoordinatorAddressOptions
    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        print(progressLine(try address.client(context: try Context()).cancel(jobID: job)))
    }
}
