import CZeroMQ

/// One ZeroMQ socket, owned by this object and closed exactly once (by `close()` or on deinit).
///
/// Sockets are not thread-safe: create, use and drop each one on a single thread. The type is
/// deliberately not `Sendable`, so Swift 6 rejects code that would hand it to another thread.
public final class Socket {
    /// The pattern this socket was created with.
    public let type: SocketType
    private let context: Context
    private var handle: UnsafeMutableRawPointer?

    /// Creates a socket.
    /// - Parameters:
    ///   - context: the context it lives in (kept alive as long as the socket).
    ///   - type: the pattern.
    ///   - lingerMS: how long `close()` may keep unsent messages before dropping them; 0 drops at
    ///     once, so that a dead peer can never stall shutdown.
    /// - Throws: `ZMQError` when libzmq cannot create the socket.
    public init(_ context: Context, _ type: SocketType, lingerMS: Int32 = 0) throws {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket(\(type))")
        }
        self.context = context
        self.type = type
        self.handle = handle
        try setOption(ZMQ_LINGER, lingerMS, "ZMQ_LINGER")
    }

    deinit { close() }

    /// Closes the socket. Calling it again does nothing; every later operation throws `ENOTSOCK`.
    public func close() {
        guard let handle else { return }
        zmq_close(handle)
        self.handle = nil
    }

    /// True until `close()`.
    public var isOpen: Bool { handle != nil }

    /// The raw libzmq socket, or an `ENOTSOCK` error once closed.
    func open(_ operation: @autoclosure () -> String) throws -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(operation: operation(), code: ENOTSOCK) }
        return handle
    }

    // MARK: - Endpoints

    /// Binds to an endpoint (`tcp://127.0.0.1:*` picks a free port; read it back with `lastEndpoint`).
    /// - Throws: `ZMQError` (e.g. `EADDRINUSE`, `EINVAL` for a malformed endpoint).
    public func bind(_ endpoint: String) throws {
        let socket = try open("zmq_bind(\(endpoint))")
        guard zmq_bind(socket, endpoint) == 0 else { throw ZMQError.last("zmq_bind(\(endpoint))") }
    }

    /// Connects to an endpoint; libzmq connects (and reconnects) in the background.
    /// - Throws: `ZMQError` for a malformed endpoint or an unknown transport.
    public func connect(_ endpoint: String) throws {
        let socket = try open("zmq_connect(\(endpoint))")
        guard zmq_connect(socket, endpoint) == 0 else { throw ZMQError.last("zmq_connect(\(endpoint))") }
    }

    /// Stops connecting to an endpoint.
    /// - Throws: `ZMQError` (`ENOENT` when it was not connected).
    public func disconnect(_ endpoint: String) throws {
        let socket = try open("zmq_disconnect(\(endpoint))")
        guard zmq_disconnect(socket, endpoint) == 0 else { throw ZMQError.last("zmq_disconnect(\(endpoint))") }
    }

    // MARK: - Sending

    /// Sends a multipart message: all frames arrive together or not at all.
    /// - Parameters:
    ///   - frames: the frames, in order (at least one).
    ///   - wait: false to fail with `EAGAIN` instead of blocking at the high-water mark.
    /// - Returns: false when `wait` is false and the message could not be queued now.
    /// - Throws: `ZMQError` (e.g. `EHOSTUNREACH` from a router-mandatory ROUTER).
    @discardableResult
    public func send<Frame: Collection>(_ frames: [Frame], wait: Bool = true) throws -> Bool
    where Frame.Element == UInt8 {
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        let socket = try open("zmq_send")
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index + 1 < frames.count ? ZMQ_SNDMORE : 0
            if !wait { flags |= ZMQ_DONTWAIT }
            let sent: Int32 =
                frame.withContiguousStorageIfAvailable { buffer in
                    Self.sendFrame(socket, UnsafeRawBufferPointer(buffer), flags)
                } ?? Array(frame).withUnsafeBytes { Self.sendFrame(socket, $0, flags) }
            if sent < 0 {
                let error = ZMQError.last("zmq_send")
                // Only the first frame can hit EAGAIN: libzmq queues the rest of a started message.
                if error.wouldBlock && index == 0 { return false }
                throw error
            }
        }
        return true
    }

    private static func sendFrame(_ socket: UnsafeMutableRawPointer, _ bytes: UnsafeRawBufferPointer, _ flags: Int32)
        -> Int32
    {
        while true {
            let sent = zmq_send(socket, bytes.baseAddress, bytes.count, flags)
            if sent >= 0 || zmq_errno() != EINTR { return sent }
        }
    }

    // MARK: - Receiving

    /// Receives one whole multipart message.
    /// - Parameter wait: false to return nil at once when no message is queued.
    /// - Returns: the frames, or nil when nothing arrived (no wait, or the receive timeout expired).
    /// - Throws: `ZMQError` (e.g. `ETERM` when the context is shutting down).
    public func receive(wait: Bool = true) throws -> [[UInt8]]? {
        let socket = try open("zmq_msg_recv")
        var frames: [[UInt8]] = []
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        repeat {
            let flags: Int32 = wait || !frames.isEmpty ? 0 : ZMQ_DONTWAIT
            var received: Int32
            repeat {
                received = zmq_msg_recv(&message, socket, flags)
            } while received < 0 && zmq_errno() == EINTR
            if received < 0 {
                let error = ZMQError.last("zmq_msg_recv")
                if error.wouldBlock && frames.isEmpty { return nil }
                throw error
            }
            let size = zmq_msg_size(&message)
            if let data = zmq_msg_data(&message), size > 0 {
                frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            } else {
                frames.append([])
            }
        } while zmq_msg_more(&message) != 0
        return frames
    }
}

@available(*, unavailable, message: "a ZeroMQ socket must stay on the thread that uses it")
extension Socket: Sendable {}
