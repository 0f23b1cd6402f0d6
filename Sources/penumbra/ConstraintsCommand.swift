import Analysis
import ArgumentParser
import Foundation
import Report

/// `penumbra constraints [thorax|FILE]`: prints a constraint set as JSON after checking it, as a starting
/// point for a centre's own file (format: docs/dvh.md).
struct ConstraintsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "constraints",
        abstract: "Check a dose-constraint set and print it as JSON ('thorax' is the shipped set).")

    @Argument(help: "'thorax' or a constraint-set JSON file.")
    var set: String = "thorax"

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let constraints: ConstraintSet
        if set.lowercased() == "thorax" {
            constraints = .thoraxConventional
        } else {
            do {
                constraints = try ConstraintSet(contentsOf: URL(fileURLWithPath: set))
            } catch let e as AnalysisError {
                throw ValidationError(e.description)
            }
        }
        print(String(decoding: try constraints.jsonData(), as: UTF8.self))
    }
}
