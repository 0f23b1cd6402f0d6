import CZeroMQ

/// A libzmq call that failed: which call, the C `errno` it set, and libzmq's text for it.
public struct ZMQError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The libzmq function (or wrapper operation) that failed, e.g. `"zmq_bind(tcp://127.0.0.1:5555)"`.
    public let operation: String
    /// The `errno` value libzmq reported (`zmq_errno()`).
    public let code: Int32
    /// `zmq_strerror(code)`: libzmq's description of the error.
    public let message: String

    /// Creates an error from an explicit errno.
    public init(operation: String, code: Int32) {
        self.operation = operation
        self.code = code
        self.message = String(cString: zmq_strerror(code))
    }

    /// The error for the calling thread's current `zmq_errno()`.
    static func last(_ operation: String) -> ZMQError {
        ZMQError(operation: operation, code: zmq_errno())
    }

    /// True when the call would have blocked (`EAGAIN`): no message now, or a receive timeout expired.
    public var wouldBlock: Bool { code == EAGAIN }

    /// True when the context was terminated (`ETERM`): the socket can no longer be used.
    public var contextTerminated: Bool { code == ETERM }

    /// True when a ROUTER socket with router-mandatory set was asked to send to a peer it does not know
    /// (`EHOSTUNREACH`).
    public var hostUnreachable: Bool { code == EHOSTUNREACH }

    public var description: String {
        "\(operation) failed: \(message) (errno \(code))"
    }
}
