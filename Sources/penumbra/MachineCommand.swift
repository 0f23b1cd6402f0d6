import ArgumentParser
import Beam
import Foundation

/// `penumbra machine`: the linac beam models (machine files).
struct MachineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "machine",
        abstract: "Show and commission linac beam models (machine files, docs/beam-model.md).",
        subcommands: [MachineShowCommand.self, MachineCommissionCommand.self, MachineMLCCommand.self]
    )
}

/// `penumbra machine show NAME`: prints a generic machine as a machine file.
struct MachineShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a generic machine (\(GenericMachines.names.joined(separator: ", "))) as JSON.")

    @Argument(help: "Generic machine name.") var name: String
    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        guard let machine = GenericMachines.named(name) else {
            throw CommandFailure("no generic machine '\(name)'; known: \(GenericMachines.names.joined(separator: ", "))")
        }
        print(String(decoding: try machine.jsonData(), as: UTF8.self))
    }
}
