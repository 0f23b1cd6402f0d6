import ArgumentParser

/// `penumbra dicom`: inspect and import DICOM RT data.
struct DICOMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dicom", abstract: "Inspect DICOM RT files and import CT series.",
        subcommands: [DICOMInfoCommand.self, DICOMImportCommand.self])
}
