import ArgumentParser
import Logging

/// The `penumbra` command line: the root command and its subcommands.
///
/// Every subcommand listed here works; a capability joins the list when it lands (README.md).
@main
struct Penumbra: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "penumbra",
        abstract: "A GPU-free Monte Carlo dose engine for external-beam radiotherapy.",
        discussion: """
            Penumbra reads a patient's CT, structures and plan (DICOM RT), computes the volumetric dose with \
            coupled photon–electron Monte Carlo on CPUs from one laptop to a cluster, and reports the dose, \
            its uncertainty and the dose–volume histograms.
            """,
        version: PenumbraVersion.string,
        subcommands: [
            // The main job and its inputs.
            RunCommand.self, ExampleCommand.self, DICOMCommand.self, MachineCommand.self, CommissionCommand.self,
            // Analysis of a dose.
            DVHCommand.self, CompareCommand.self, ConstraintsCommand.self, ReportCommand.self, DRRCommand.self,
            // Transport and physics on their own.
            SimulateCommand.self, PhaseSpaceCommand.self, PhysicsCommand.self,
            // The cluster.
            CoordinatorCommand.self, WorkerCommand.self, SubmitCommand.self, StatusCommand.self,
            CancelCommand.self, ResultCommand.self, KeygenCommand.self,
            VersionCommand.self,
        ]
    )
}

/// `penumbra version`: the software version, as recorded in every output's provenance.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "Print the version of Penumbra.")

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        print(PenumbraVersion.string)
    }
}
