import ArgumentParser
import Cluster
import Foundation
import Logging
import ZeroMQ

/// `penumbra worker`: runs units handed out by a coordinator.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker: take work units from a coordinator and return their tallies.",
        discussion: "Workloads: transport (penumbra simulate --coordinator) and synthetic (a stand-in for tests).")

    @Option(name: .long, help: "The coordinator's endpoint.")
    var connect = "tcp://127.0.0.1:5555"

    @Option(name: .long, help: "Threads per unit.")
    var threads = 1

    @Option(name: .long, help: "Heartbeat interval in milliseconds (must match the coordinator's).")
    var heartbeatMS = 1_000

    @OptionGroup var curve: CurveClientOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...1_024).contains(threads) else { throw ValidationError("--threads must be within 1…1024") }
    }

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "penumbra.worker")
        var policy = LivenessPolicy.standard
        policy.heartbeatInterval = .milliseconds(heartbeatMS)
        let stop = StopSignal()
        let signals = stopOnSignals(stop)
        let host = ProcessInfo.processInfo.hostName
        let worker = try WorkerClient(
            context: try Context(), endpoint: connect, executor: AllWorkloads(), threads: threads,
            name: "\(host)/\(getpid())", policy: policy, curve: try curve.settings(for: connect), logger: logger)
        let refusal = try worker.run(until: stop)
        withExtendedLifetime(signals) {}
        if let refusal { throw CleanExit.message("refused by the coordinator: \(refusal)") }
    }
}
