import Foundation

/// A command's progress line on standard error. On a terminal the line is rewritten in place; on a pipe or a
/// log file (Slurm, systemd, CI) a whole line is written at most once per `logInterval`, so an overnight run's
/// log holds a few hundred readable lines instead of one unbroken line of carriage returns.
final class ProgressDisplay {
    private let isTerminal: Bool
    private let logInterval: Duration
    private var lastLogged: ContinuousClock.Instant?
    /// The newest line a pipe has not been shown yet (written by `finish`).
    private var held: String?

    init(logInterval: Duration = .seconds(10), isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.logInterval = logInterval
        self.isTerminal = isTerminal
    }

    /// Shows `line` as the current progress.
    func show(_ line: String) {
        if isTerminal {
            // ESC [ K clears what a longer previous line left to the right (ECMA-48 EL).
            write("\r" + line + "\u{1B}[K")
            return
        }
        let now = ContinuousClock.now
        if let lastLogged, now - lastLogged < logInterval {
            held = line
            return
        }
        write(line + "\n")
        lastLogged = now
        held = nil
    }

    /// Ends the display: closes the terminal line, or writes the last line a pipe has not seen.
    func finish() {
        if isTerminal {
            write("\n")
        } else if let held {
            write(held + "\n")
            self.held = nil
        }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
