import ArgumentParser
import Cluster
import Foundation
import Logging
import ZeroMQ

/// `penumbra coordinator`: the cluster's coordinator, with its state in a directory.
struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run the coordinator: hand out work units to workers and merge their tallies.",
        discussion: """
            Prints the bound endpoint on its first line of standard output and, with --metrics, the metrics URL \
            on its second. Job state lives in --state \
            (SQLite plus tally checkpoints): a coordinator killed at any moment and restarted with the same \
            directory resumes every job without losing or redoing committed units.
            """)

    @Option(name: .long, help: "Where to listen, e.g. tcp://127.0.0.1:5555 (port * picks a free one).")
    var bind = "tcp://127.0.0.1:5555"

    @Option(name: .long, help: "The state directory (created if missing).")
    var state: String

    @Option(name: .long, help: "A file holding the coordinator's CURVE secret key (Z85); enables encryption.")
    var curveSecretKeyFile: String?

    @Option(name: .long, help: "A file of CURVE public keys (one per line, # comments) of the workers and clients allowed to connect.")
    var allowedKeys: String?

    @Flag(name: .long, help: "Allow plain TCP on a non-loopback address (unencrypted, unauthenticated).")
    var allowPlaintext = false

    @Option(name: .long, help: "Heartbeat interval in milliseconds (peers are dead after 3 silent intervals).")
    var heartbeatMS = 1_000

    @Option(name: .long, help: "Serve Prometheus metrics over plain HTTP at HOST:PORT, e.g. 127.0.0.1:9464 (GET /metrics).")
    var metrics: String?

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "penumbra.coordinator")
        let curve: CurveSettings
        if let file = curveSecretKeyFile {
            let keys = try readKeyPair(file)
            logger.info("CURVE on; public key \(keys.publicKey)")
            curve = .server(keys)
        } else {
            guard CurveSettings.isLocal(bind) || allowPlaintext else {
                throw ValidationError("\(bind) is not on loopback: pass --curve-secret-key-file, or --allow-plaintext")
            }
            curve = .none
        }
        var allowed: Set<String>?
        if let allowedKeys {
            guard curveSecretKeyFile != nil else { throw ValidationError("--allowed-keys needs --curve-secret-key-file") }
            let lines = try String(contentsOfFile: allowedKeys, encoding: .utf8).split(whereSeparator: \.isNewline)
            allowed = Set(lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") })
            logger.info("\(allowed!.count) client keys allowed")
        }
        var policy = LivenessPolicy.standard
        policy.heartbeatInterval = .milliseconds(heartbeatMS)
        let stop = StopSignal()
        let signals = stopOnSignals(stop)
        let context = try Context()
        let store = try JobStore(directory: URL(fileURLWithPath: state))
        let counters = metrics.map { _ in CoordinatorMetrics() }
        let server = try CoordinatorServer(
            context: context, endpoint: bind, store: store, policy: policy, curve: curve, allowedClientKeys: allowed,
            logger: logger, metrics: counters)
        var exposition: MetricsServer?
        if let metrics, let counters { exposition = try MetricsServer(bind: metrics, metrics: counters, logger: logger) }
        defer { exposition?.shutdown() }
        // Unbuffered, so that a supervisor reading the pipe learns the endpoint at once.
        FileHandle.standardOutput.write(Data((server.endpoint + "\n").utf8))
        if let exposition { FileHandle.standardOutput.write(Data("http://\(exposition.address)/metrics\n".utf8)) }
        try server.run(until: stop)
        withExtendedLifetime(signals) {}
        logger.info("coordinator stopped")
    }
}
