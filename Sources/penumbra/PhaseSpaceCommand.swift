import ArgumentParser

/// `penumbra phase-space`: inspect and cut IAEA phase spaces (docs/phase-space.md).
struct PhaseSpaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phase-space",
        abstract: "Inspect and cut IAEA phase spaces (.IAEAheader + .IAEAphsp).",
        discussion: "Use one as a source with `penumbra simulate --phase-space FILE` (docs/phase-space.md).",
        subcommands: [PhaseSpaceInfoCommand.self, PhaseSpaceCutCommand.self]
    )
}
