import ArgumentParser
import Cluster
import Dispatch
import Foundation
import ZeroMQ

/// How a client command reaches a running coordinator.
struct CoordinatorAddressOptions: ParsableArguments {
    @Option(name: .long, help: "The coordinator's endpoint.")
    var coordinator = "tcp://127.0.0.1:5555"

    @Option(name: .long, help: "Seconds to wait for each reply.")
    var timeout: Double = 10

    @OptionGroup var curve: CurveClientOptions

    /// A connected client.
    func client(context: Context) throws -> ClusterClient {
        try ClusterClient(
            context: context, endpoint: coordinator, curve: try curve.settings(for: coordinator),
            timeout: .milliseconds(Int(timeout * 1_000)))
    }
}

/// CURVE keys of a worker or client.
struct CurveClientOptions: ParsableArguments {
    @Option(name: .long, help: "The coordinator's CURVE public key (Z85, 40 characters); required off loopback.")
    var serverKey: String?

    @Option(name: .long, help: "A file holding this peer's CURVE secret key (from 'penumbra keygen'); a fresh key otherwise.")
    var curveKeyFile: String?

    @Flag(name: .long, help: "Allow plain TCP to a non-loopback coordinator (unencrypted, unauthenticated).")
    var allowPlaintext = false

    func settings(for endpoint: String) throws -> CurveSettings {
        if let serverKey {
            let keys = try curveKeyFile.map(readKeyPair) ?? CurveKeyPair.generate()
            return .client(keys, serverPublicKey: serverKey)
        }
        guard curveKeyFile == nil else { throw ValidationError("--curve-key-file needs --server-key") }
        guard CurveSettings.isLocal(endpoint) || allowPlaintext else {
            throw ValidationError(
                "\(endpoint) is not on loopback: pass --server-key with the coordinator's public key, or --allow-plaintext")
        }
        return .none
    }
}

/// The key pair whose secret key (Z85) is the first line of `path`.
func readKeyPair(_ path: String) throws -> CurveKeyPair {
    let secret = try String(contentsOfFile: path, encoding: .utf8)
        .split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
    do {
        return try CurveKeyPair(publicKey: try CurveKeyPair.publicKey(forSecretKey: secret), secretKey: secret)
    } catch {
        throw ValidationError("\(path) does not hold a CURVE secret key (40 Z85 characters); make one with 'penumbra keygen'")
    }
}

/// Raises `stop` on SIGINT or SIGTERM, so loops shut down cleanly (a SIGKILL is survived by the state).
func stopOnSignals(_ stop: StopSignal) -> [any DispatchSourceSignal] {
    [SIGINT, SIGTERM].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { stop.raise() }
        source.resume()
        return source
    }
}

/// A progress line for a job: units, histories, workers, the uncertainty at the last stop checkpoint
/// of a job with a target, and otherwise the time left when `start` is given.
func progressLine(_ job: JobStatus, since start: ContinuousClock.Instant? = nil) -> String {
    let fraction = job.historiesTotal == 0 ? 0 : Double(job.historiesDone) / Double(job.historiesTotal)
    var eta = ""
    if let sigma = job.relativeUncertainty {
        eta = String(format: ", σ %.2f %%", 100 * sigma)
    } else if let start, fraction > 0, !job.state.isFinal {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        eta = String(format: ", ~%.0f s left", seconds * (1 - fraction) / fraction)
    }
    return "job \(job.jobID) \(job.state): \(job.unitsDone)/\(job.unitsTotal) units, "
        + "\(job.historiesDone)/\(job.historiesTotal) histories (\(String(format: "%.1f", 100 * fraction)) %), "
        + "\(job.unitsRunning) running on \(job.workersAlive) workers" + eta
        + (job.reason.isEmpty ? "" : " — \(job.reason)")
}

/// A fraction from a percentage like `2%` (or `2`), in (0, 100) %.
func percentage(_ text: String, option: String) throws -> Double {
    let digits = text.hasSuffix("%") ? String(text.dropLast()) : text
    guard let value = Double(digits), value > 0, value < 100 else {
        throw ValidationError("\(option) must be a percentage like 2%, got '\(text)'")
    }
    return value / 100
}
