import Dispatch
import Foundation
import Synchronization

/// Writes tally checkpoints on a thread of its own, so the coordinator's loop keeps answering
/// heartbeats, assigning and merging while a large tally (24 bytes per voxel) is hashed, written,
/// flushed and renamed. The loop hands over snapshots (`CheckpointSnapshot`, copy-on-write, so
/// taking one costs nothing until the loop next merges into that job) only when the writer is idle:
/// at most one batch is in flight and nothing queues up behind it. Restart guarantees do not change:
/// a file is renamed into place whole, and rows are deleted only after the file that includes them
/// (`JobStore.write(_:)`).
final class CheckpointWriter: Sendable {
    private struct State {
        var batch: [CheckpointSnapshot]?
        var failure: ClusterError?
        var closing = false
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)

    /// Starts the writer's thread.
    /// - Parameters:
    ///   - store: where checkpoints go.
    ///   - beforeEachWrite: called on the writer's thread before each checkpoint (tests hold the writer
    ///     there to show that the loop does not wait for it).
    init(store: JobStore, beforeEachWrite: (@Sendable () -> Void)? = nil) {
        let thread = Thread { [self] in serve(store: store, beforeEachWrite: beforeEachWrite) }
        thread.name = "penumbra-checkpoint"
        thread.start()
    }

    private func serve(store: JobStore, beforeEachWrite: (@Sendable () -> Void)?) {
        while true {
            wake.wait()
            let (batch, closing) = state.withLock { ($0.batch, $0.closing) }
            guard let batch else {
                if closing { break }
                continue
            }
            var failure: ClusterError?
            for snapshot in batch {
                beforeEachWrite?()
                do throws(ClusterError) {
                    try store.write(snapshot)
                } catch {
                    failure = error
                    break
                }
            }
            state.withLock {
                $0.batch = nil
                if $0.failure == nil { $0.failure = failure }
            }
        }
        exited.signal()
    }

    /// True when no checkpoint is being written.
    var isIdle: Bool { state.withLock { $0.batch == nil } }

    /// Hands `snapshots` to the writer's thread.
    /// - Returns: false, keeping nothing, while the previous batch is still being written.
    func start(_ snapshots: [CheckpointSnapshot]) -> Bool {
        let started = state.withLock { state in
            guard state.batch == nil, !state.closing else { return false }
            state.batch = snapshots
            return true
        }
        if started { wake.signal() }
        return started
    }

    /// The first failure of a write since the last call, if any (the checkpoint then stays the old one
    /// and every row after it stays committed: nothing is lost, but the coordinator should stop).
    func takeFailure() -> ClusterError? {
        state.withLock { state in
            defer { state.failure = nil }
            return state.failure
        }
    }

    /// Waits for the batch in flight, then ends the thread. Later calls return at once.
    func finish() {
        let first = state.withLock { state in
            defer { state.closing = true }
            return !state.closing
        }
        guard first else { return }
        wake.signal()
        exited.wait()
    }
}
