import CZeroMQ

/// A libzmq context: the I/O threads and the `inproc://` namespace that sockets share.
///
/// A context may be shared between threads (libzmq contexts are thread-safe); its sockets may not.
/// Every socket keeps its context alive, so the context is terminated only after its last socket
/// has closed and no `zmq_ctx_term` can block on a forgotten socket.
public final class Context: @unchecked Sendable {
    // @unchecked: libzmq documents contexts as thread-safe, and `handle` never changes after init.
    let handle: UnsafeMutableRawPointer

    /// Creates a context.
    /// - Parameter ioThreads: the number of libzmq I/O threads (1 is enough below about 1 GB/s).
    /// - Throws: `ZMQError` when libzmq cannot create the context or set the thread count.
    public init(ioThreads: Int32 = 1) throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
        if zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) != 0 {
            let error = ZMQError.last("zmq_ctx_set(ZMQ_IO_THREADS, \(ioThreads))")
            zmq_ctx_term(handle)
            throw error
        }
    }

    deinit {
        // All sockets hold a strong reference, so none is open here and term returns at once.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// The libzmq library version, e.g. `(4, 3, 4)`.
    public static var libraryVersion: (major: Int32, minor: Int32, patch: Int32) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (major, minor, patch)
    }
}
