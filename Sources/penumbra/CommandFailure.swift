/// A failure while running a subcommand (bad input files, unwritable outputs): printed as
/// `Error: <message>` with exit status 1, without the usage text that argument errors get.
struct CommandFailure: Error, CustomStringConvertible {
    /// What went wrong, where, and what to do.
    let description: String

    init(_ description: String) { self.description = description }
}
