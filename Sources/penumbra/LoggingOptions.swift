import ArgumentParser
import Logging

/// The `--log-level` option that every subcommand shares.
///
/// Logs go to standard error so that standard output stays machine-readable (CSV, JSON).
/// Logs never carry patient names or IDs (STYLE.md): only hashes, counts and file names.
struct LoggingOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Log level: trace, debug, info, notice, warning, error or critical.",
        transform: { text in
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw ValidationError(
                    "unknown log level '\(text)'; use trace, debug, info, notice, warning, error or critical")
            }
            return level
        })
    var logLevel: Logger.Level = .info

    /// Sets up swift-log once for the process, writing to standard error at the chosen level.
    func bootstrap() {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
