/// Every message of the Penumbra wire protocol, as plain values (docs/protocol.md). `WireCodec`
/// turns them into ZeroMQ frames and back; the state machines never see bytes.
public enum WireMessage: Hashable, Sendable {
    // MARK: Worker ↔ coordinator

    /// Worker → coordinator, first message after connecting: protocol version and capabilities.
    case ready(WorkerHello)
    /// Both ways: "I am alive". Any other message also counts as a heartbeat.
    case heartbeat
    /// Coordinator → worker: run this unit.
    case assign(WorkUnit)
    /// Worker → coordinator: the unit's tallies.
    case result(UnitResult)
    /// Worker → coordinator: the unit could not be run (the coordinator re-queues it).
    case unitFailed(UnitKey, reason: String)
    /// Worker → coordinator: send me this content-addressed input.
    case blobRequest(ContentDigest)
    /// Coordinator → worker: the input (its SHA-256 is checked by the receiver).
    case blob(ContentDigest, [UInt8])
    /// Coordinator → worker (v3): run this unit of a decomposed job.
    case assignSlab(SlabWorkUnit)
    /// Worker → coordinator (v3): the slab's energy and the particles that left it.
    case slabResult(SlabUnitResult)
    /// Worker → coordinator (v3): the decomposed unit could not be run (the coordinator re-queues it).
    case slabFailed(SlabUnitKey, reason: String)
    /// Either way: the sender stops talking to the receiver, why, and whether to come back.
    case disconnect(DisconnectCode, reason: String)

    // MARK: Client ↔ coordinator

    /// Client → coordinator: run a job; `inputs` are the blobs `spec.inputs` names, in order.
    case submit(requestID: UInt64, spec: JobSpec, inputs: [[UInt8]])
    /// Coordinator → client: the job was accepted under this id.
    case submitted(requestID: UInt64, jobID: UInt64)
    /// Client → coordinator: report one job, or every job when `jobID` is 0.
    case statusRequest(requestID: UInt64, jobID: UInt64)
    /// Coordinator → client: the jobs asked for.
    case status(requestID: UInt64, jobs: [JobStatus])
    /// Client → coordinator: stop a job.
    case cancel(requestID: UInt64, jobID: UInt64)
    /// Client → coordinator: send the merged tallies of a job.
    case fetch(requestID: UInt64, jobID: UInt64)
    /// Coordinator → client (v5: sparse): a job's merged tallies, its state, and the largest tally memory per
    /// thread its workers reported (nil when none did).
    case jobResult(requestID: UInt64, jobID: UInt64, state: JobState, tally: SparseTally, tallyMemory: TallyMemory?)
    /// Coordinator → client: the request failed, and why.
    case failure(requestID: UInt64, reason: String)
}

extension WireMessage {
    /// The kind code in the first frame (docs/protocol.md, "Message kinds").
    var kind: MessageKind {
        switch self {
        case .ready: .ready
        case .heartbeat: .heartbeat
        case .assign: .assign
        case .result: .result
        case .unitFailed: .unitFailed
        case .blobRequest: .blobRequest
        case .blob: .blob
        case .disconnect: .disconnect
        case .assignSlab: .assignSlab
        case .slabResult: .slabResult
        case .slabFailed: .slabFailed
        case .submit: .submit
        case .submitted: .submitted
        case .statusRequest: .statusRequest
        case .status: .status
        case .cancel: .cancel
        case .fetch: .fetch
        case .jobResult: .jobResult
        case .failure: .failure
        }
    }
}

/// Why a DISCONNECT was sent, which tells a worker whether reconnecting can help.
public enum DisconnectCode: UInt16, Hashable, Sendable {
    /// Orderly goodbye (shutdown); a worker may reconnect later.
    case goodbye = 0
    /// The coordinator does not know this peer (e.g. it restarted): send READY again.
    case unknownPeer = 1
    /// The peer sent something the coordinator could not accept; it may reconnect and try again.
    case protocolError = 2
    /// The worker's protocol version is not supported: reconnecting cannot help; stop.
    case incompatibleVersion = 3

    /// True when the worker should give up rather than reconnect.
    public var isFatal: Bool { self == .incompatibleVersion }
}

/// The message kind codes; never reuse a retired code.
enum MessageKind: UInt16, CaseIterable, CustomStringConvertible {
    case ready = 1, heartbeat = 2, assign = 3, result = 4, unitFailed = 5, blobRequest = 6, blob = 7
    case disconnect = 8
    case assignSlab = 9, slabResult = 10, slabFailed = 11
    case submit = 16, submitted = 17, statusRequest = 18, status = 19, cancel = 20, fetch = 21
    case jobResult = 22, failure = 23

    var description: String {
        switch self {
        case .ready: "READY"
        case .heartbeat: "HEARTBEAT"
        case .assign: "ASSIGN"
        case .result: "RESULT"
        case .unitFailed: "UNIT_FAILED"
        case .blobRequest: "BLOB_REQUEST"
        case .blob: "BLOB"
        case .disconnect: "DISCONNECT"
        case .assignSlab: "ASSIGN_SLAB"
        case .slabResult: "SLAB_RESULT"
        case .slabFailed: "SLAB_FAILED"
        case .submit: "SUBMIT"
        case .submitted: "SUBMITTED"
        case .statusRequest: "STATUS_REQUEST"
        case .status: "STATUS"
        case .cancel: "CANCEL"
        case .fetch: "FETCH"
        case .jobResult: "JOB_RESULT"
        case .failure: "FAILURE"
        }
    }
}
