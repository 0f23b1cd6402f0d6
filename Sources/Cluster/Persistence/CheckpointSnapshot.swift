/// A job's checkpoint as it was when taken, and the committed result rows it makes redundant: what
/// `JobStore.write(_:)` needs, with nothing shared with the coordinator's state but copy-on-write
/// arrays, so a thread of its own can write it while the coordinator goes on merging.
public struct CheckpointSnapshot: Sendable {
    /// Which result rows the checkpoint includes.
    public enum PrunedRows: Sendable, Hashable {
        /// A decomposed job: every row of the batches below this one.
        case batchesBelow(Int)
        /// A replicated job: the rows of these units.
        case units(Set<UInt32>)
    }

    /// The file's contents.
    public let checkpoint: TallyCheckpoint
    /// The rows to delete once the file is in place.
    public let prunedRows: PrunedRows
}
