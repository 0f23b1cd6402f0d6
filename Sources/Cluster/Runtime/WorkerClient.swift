import Foundation
import Logging
import Synchronization
import ZeroMQ

/// A worker's socket loop: a DEALER socket to the coordinator, the `WorkerMachine`, and an executor
/// running units on a background thread. The executor leaves its report in a mailbox and wakes the
/// loop with an empty message on an in-process PUSH/PULL pipe, so the loop sleeps in `zmq_poll` and
/// wakes for the coordinator and the executor alike; the report itself is encoded once, for the
/// coordinator (not once more for the pipe, with its banks hashed again on the way).
///
/// Create, run and drop it on one thread (it owns sockets).
public final class WorkerClient {
    private let context: Context
    private let endpoint: String
    private let curve: CurveSettings
    private let executor: any UnitExecutor
    private let threads: Int
    private let logger: Logger
    private var machine: WorkerMachine
    private var socket: Socket
    private let inbox: Socket
    private let inboxName = "inproc://penumbra-worker-\(UUID().uuidString)"
    private let reports = Mailbox()
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant

    /// Creates a worker (it connects when `run` starts).
    /// - Parameters:
    ///   - context: the ZeroMQ context (shared with the coordinator in embedded mode).
    ///   - endpoint: the coordinator, e.g. `tcp://127.0.0.1:5555`.
    ///   - executor: what runs the units.
    ///   - threads: threads per unit.
    ///   - name: a name for the coordinator's logs (host and process id; never patient data).
    public init(
        context: Context, endpoint: String, executor: any UnitExecutor, threads: Int, name: String,
        policy: LivenessPolicy = .standard, curve: CurveSettings = .none, logger: Logger
    ) throws {
        self.context = context
        self.endpoint = endpoint
        self.curve = curve
        self.executor = executor
        self.threads = threads
        self.logger = logger
        machine = WorkerMachine(policy: policy, name: name, threads: threads, workloads: executor.workloads)
        inbox = try Socket(context, .pull)
        try inbox.bind(inboxName)
        socket = try Self.connect(context, endpoint, curve)
        origin = clock.now
    }

    private static func connect(_ context: Context, _ endpoint: String, _ curve: CurveSettings) throws -> Socket {
        let socket = try Socket(context, .dealer)
        try socket.setMaximumMessageSize(bytes: Int64(WireLimits.maximumFrameBytes))
        try curve.apply(to: socket)
        try socket.connect(endpoint)
        return socket
    }

    /// Works until `stop` is raised or the coordinator refuses this worker for good.
    /// - Returns: the reason the coordinator gave when it refused the worker, or nil when stopped.
    /// - Throws: `ZMQError` when a socket fails.
    @discardableResult
    public func run(until stop: StopSignal) throws -> String? {
        try perform(machine.start(at: clock.now - origin))
        while !stop.isRaised {
            let now = clock.now - origin
            var poller = Poller()
            poller.add(socket)
            poller.add(inbox)
            let ready = try poller.poll(timeoutMS: LoopTiming.pollTimeoutMS(now: now, deadline: machine.nextDeadline(after: now)))
            if ready[1] { while try inbox.receive(wait: false) != nil {} }
            for report in reports.takeAll() {
                let at = clock.now - origin
                switch report {
                case .result(let result): try perform(machine.finished(result, at: at))
                case .unitFailed(let key, let reason): try perform(machine.failed(key, reason: reason, at: at))
                case .slabResult(let result): try perform(machine.finished(slab: result, at: at))
                case .slabFailed(let key, let reason): try perform(machine.failed(slab: key, reason: reason, at: at))
                default: logger.error("the executor sent a \(report.kind), not a report")
                }
            }
            if ready[0] {
                while let frames = try socket.receive(wait: false) {
                    do {
                        let message = try WireCodec.decode(frames)
                        if let reason = try perform(machine.received(message, at: clock.now - origin)) { return reason }
                    } catch let error as WireError {
                        logger.warning("refused a message from the coordinator: \(error)")
                    }
                }
            }
            if let reason = try perform(machine.tick(at: clock.now - origin)) { return reason }
        }
        _ = try? socket.send(WireCodec.encode(.disconnect(.goodbye, reason: "worker stopping")), wait: false)
        return nil
    }

    /// Carries out actions; returns the reason when the machine asks to stop.
    @discardableResult
    private func perform(_ actions: [WorkerAction]) throws -> String? {
        for action in actions {
            switch action {
            case .send(let message):
                _ = try socket.send(WireCodec.encode(message), wait: false)
            case .reconnect:
                socket.close()
                socket = try Self.connect(context, endpoint, curve)
                logger.info("reconnecting to \(endpoint)")
            case .execute(let unit, let inputs):
                logger.debug("running \(unit.key) (\(unit.histories.count) histories, attempt \(unit.attempt))")
                startExecution { [executor, threads] in
                    do {
                        return .result(try executor.execute(unit, inputs: inputs, threads: threads))
                    } catch {
                        return .unitFailed(unit.key, reason: "\(error)")
                    }
                }
            case .executeSlab(let unit, let inputs):
                logger.debug("running \(unit.key) (\(unit.banks.count) banks, attempt \(unit.attempt))")
                startExecution { [executor, threads] in
                    do {
                        return .slabResult(try executor.execute(slab: unit, inputs: inputs, threads: threads))
                    } catch {
                        return .slabFailed(unit.key, reason: "\(error)")
                    }
                }
            case .stop(let reason):
                logger.error("coordinator refused this worker: \(reason)")
                return reason
            case .log(let line):
                logger.notice("\(line)")
            }
        }
        return nil
    }

    /// Runs `work` on a new thread, which leaves its report in the mailbox and wakes the loop.
    private func startExecution(_ work: @escaping @Sendable () -> WireMessage) {
        let context = self.context, inboxName = self.inboxName, reports = self.reports
        let thread = Thread {
            reports.post(work())
            guard let push = try? Socket(context, .push, lingerMS: 1_000) else { return }
            try? push.connect(inboxName)
            _ = try? push.send([[]])
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}

/// Reports of finished executions, waiting for the worker's loop.
private final class Mailbox: Sendable {
    private let reports = Mutex<[WireMessage]>([])

    func post(_ report: WireMessage) { reports.withLock { $0.append(report) } }

    func takeAll() -> [WireMessage] { reports.withLock { reports in defer { reports = [] }; return reports } }
}
