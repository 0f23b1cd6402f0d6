/// What the worker state machine asks its loop to do, in order.
public enum WorkerAction: Hashable, Sendable {
    /// Send a message to the coordinator.
    case send(WireMessage)
    /// Close the socket, open a fresh one and connect again (a new routing id; no stale queue).
    case reconnect
    /// Start running a unit on the executor (in the background; report with `finished` or `failed`).
    case execute(WorkUnit, inputs: [ContentDigest: [UInt8]])
    /// Start running a decomposed unit (report with `finished(slab:)` or `failed(slab:)`).
    case executeSlab(SlabWorkUnit, inputs: [ContentDigest: [UInt8]])
    /// Give up: the coordinator refused this worker for good.
    case stop(reason: String)
    /// Something worth a log line.
    case log(String)
}
