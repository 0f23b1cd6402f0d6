import Dispatch
import Foundation
import Logging
import Synchronization
import ZeroMQ

/// A coordinator and N local workers in one process, talking over `inproc://` with the very same
/// loops and protocol as a real cluster: what every single-machine command runs on.
public final class EmbeddedCluster: Sendable {
    /// The shared ZeroMQ context (clients of this cluster must use it to reach `inproc://`).
    public let context: Context
    /// The coordinator's endpoint.
    public let endpoint: String
    private let stop = StopSignal()
    private let exited = DispatchSemaphore(value: 0)
    private let threadCount: Int
    private let shutDown = Mutex(false)

    /// Starts the coordinator and `workers` workers, each on its own thread.
    /// - Parameters:
    ///   - workers: how many workers.
    ///   - threadsPerWorker: threads each worker runs a unit on.
    ///   - executor: what runs the units.
    ///   - store: durable state, or nil to keep it in memory.
    ///   - endpoint: where the coordinator binds; by default a fresh `inproc://` name. A `tcp://`
    ///     endpoint lets outside workers and clients join too.
    /// - Throws: whatever the coordinator throws when it binds or restores its state.
    public init(
        workers: Int, threadsPerWorker: Int = 1, executor: any UnitExecutor, store: JobStore? = nil,
        endpoint: String = "inproc://penumbra-\(UUID().uuidString)", policy: LivenessPolicy = .standard,
        logger: Logger
    ) throws {
        let context = try Context()
        self.context = context
        threadCount = workers + 1
        let started = Mutex<Result<String, any Error>?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let stop = self.stop, exited = self.exited
        Self.spawn("penumbra-coordinator") {
            do {
                let server = try CoordinatorServer(
                    context: context, endpoint: endpoint, store: store, policy: policy, logger: logger)
                started.withLock { $0 = .success(server.endpoint) }
                ready.signal()
                try server.run(until: stop)
            } catch {
                started.withLock { if $0 == nil { $0 = .failure(error) } }
                ready.signal()
                logger.error("coordinator stopped: \(error)")
                stop.raise()
            }
            exited.signal()
        }
        ready.wait()
        let bound = try started.withLock { $0! }.get()
        self.endpoint = bound
        for n in 0..<workers {
            Self.spawn("penumbra-worker-\(n)") {
                do {
                    let worker = try WorkerClient(
                        context: context, endpoint: bound, executor: executor, threads: threadsPerWorker,
                        name: "embedded-\(n)", policy: policy, logger: logger)
                    try worker.run(until: stop)
                } catch {
                    logger.error("embedded worker \(n) stopped: \(error)")
                }
                exited.signal()
            }
        }
    }

    /// Stops every loop and waits for their threads to end.
    public func shutdown() {
        guard !shutDown.withLock({ done in defer { done = true }; return done }) else { return }
        stop.raise()
        for _ in 0..<threadCount { exited.wait() }
    }

    /// Runs `body` on a new thread named `name`, also in the kernel (cut to the 15 bytes Linux keeps) so
    /// that `top -H` and /proc show it: Foundation's `Thread.name` does not reach a thread not yet started.
    private static func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread {
            if let comm = fopen("/proc/thread-self/comm", "w") {
                fputs(String(decoding: name.utf8.prefix(15), as: UTF8.self), comm)
                fclose(comm)
            }
            body()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }
}
