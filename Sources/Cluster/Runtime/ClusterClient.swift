import Foundation
import ZeroMQ

/// A client of the coordinator (submit, status, cancel, fetch): a DEALER socket and request ids.
///
/// Create, use and drop it on one thread (it owns a socket).
public final class ClusterClient {
    private let socket: Socket
    private var nextRequest: UInt64 = 1
    /// How long a request waits for its reply.
    public var timeout: Duration

    /// Connects to a coordinator.
    public init(context: Context, endpoint: String, curve: CurveSettings = .none, timeout: Duration = .seconds(10)) throws {
        socket = try Socket(context, .dealer)
        try socket.setMaximumMessageSize(bytes: Int64(WireLimits.maximumFrameBytes))
        try curve.apply(to: socket)
        try socket.connect(endpoint)
        self.timeout = timeout
    }

    /// Submits a job.
    /// - Returns: the job id.
    /// - Throws: `ClusterError.refused` with the coordinator's reason, `.timeout`, or `ZMQError`.
    public func submit(_ spec: JobSpec, inputs: [[UInt8]] = []) throws -> UInt64 {
        let id = nextRequest
        guard case .submitted(_, let jobID) = try request(.submit(requestID: id, spec: spec, inputs: inputs), id) else {
            throw ClusterError.refused("unexpected reply to SUBMIT")
        }
        return jobID
    }

    /// The status of one job, or of every job when `jobID` is nil.
    public func status(jobID: UInt64? = nil) throws -> [JobStatus] {
        let id = nextRequest
        guard case .status(_, let jobs) = try request(.statusRequest(requestID: id, jobID: jobID ?? 0), id) else {
            throw ClusterError.refused("unexpected reply to STATUS_REQUEST")
        }
        return jobs
    }

    /// Cancels a job.
    /// - Returns: its status after cancelling.
    public func cancel(jobID: UInt64) throws -> JobStatus {
        let id = nextRequest
        guard case .status(_, let jobs) = try request(.cancel(requestID: id, jobID: jobID), id), let job = jobs.first else {
            throw ClusterError.refused("unexpected reply to CANCEL")
        }
        return job
    }

    /// The merged tallies of a job (partial while it runs), sparse as they travelled: add them to a
    /// `MergedTally` (`add(_:)`, or `MergedTally(_:)` for a dense copy of their own).
    /// - Returns: the job's state, its tallies, and the largest tally memory per thread its workers reported.
    public func fetch(jobID: UInt64) throws -> (state: JobState, tally: SparseTally, tallyMemory: TallyMemory?) {
        let id = nextRequest
        guard case .jobResult(_, _, let state, let tally, let memory) = try request(.fetch(requestID: id, jobID: jobID), id)
        else {
            throw ClusterError.refused("unexpected reply to FETCH")
        }
        return (state, tally, memory)
    }

    /// Waits until the job is no longer running, calling `progress` with each status seen.
    public func wait(jobID: UInt64, every interval: Duration = .milliseconds(200), progress: (JobStatus) -> Void = { _ in })
        throws -> JobStatus
    {
        while true {
            guard let job = try status(jobID: jobID).first else { throw ClusterError.unknownJob(jobID) }
            progress(job)
            if job.state.isFinal { return job }
            Thread.sleep(forTimeInterval: Double(interval.components.seconds) + Double(interval.components.attoseconds) * 1e-18)
        }
    }

    private func request(_ message: WireMessage, _ id: UInt64) throws -> WireMessage {
        nextRequest += 1
        try socket.send(WireCodec.encode(message))
        let deadline = ContinuousClock.now + timeout
        var poller = Poller()
        poller.add(socket)
        while ContinuousClock.now < deadline {
            let left = deadline - ContinuousClock.now
            guard try poller.poll(timeoutMS: max(1, Int(left.components.seconds * 1_000 + left.components.attoseconds / 1_000_000_000_000_000)))[0],
                let frames = try socket.receive(wait: false)
            else { continue }
            let reply = try WireCodec.decode(frames)
            switch reply {
            case .failure(id, let reason): throw ClusterError.refused(reason)
            case .submitted(id, _), .status(id, _), .jobResult(id, _, _, _, _): return reply
            case .disconnect(_, let reason): throw ClusterError.refused(reason)
            default: continue  // a stale reply to an earlier request
            }
        }
        throw ClusterError.timeout("no reply to \(message.kind) within \(timeout)")
    }
}
