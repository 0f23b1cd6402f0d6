import CZeroMQ

/// Waits on several sockets at once (`zmq_poll`), always with a timeout.
///
/// The poller does not own its sockets; it holds them only for the duration of one `poll` call and
/// must stay on their thread.
public struct Poller {
    private var sockets: [Socket] = []
    private var events: [Int16] = []

    /// An empty poller.
    public init() {}

    /// Adds a socket, waiting for it to become readable (and writable if asked).
    /// - Returns: the socket's index in the result of `poll`.
    @discardableResult
    public mutating func add(_ socket: Socket, readable: Bool = true, writable: Bool = false) -> Int {
        sockets.append(socket)
        events.append(Int16((readable ? ZMQ_POLLIN : 0) | (writable ? ZMQ_POLLOUT : 0)))
        return sockets.count - 1
    }

    /// Waits until at least one socket is ready or the timeout expires.
    /// - Parameter timeoutMS: the longest wait in milliseconds (0 returns at once). There is no
    ///   "forever": a loop that cannot wake up cannot notice a dead peer.
    /// - Returns: for each added socket (by index), whether it is readable.
    /// - Throws: `ZMQError` (e.g. `ETERM`).
    public func poll(timeoutMS: Int) throws -> [Bool] {
        precondition(timeoutMS >= 0, "a poll always has a finite timeout")
        var items: [zmq_pollitem_t] = []
        items.reserveCapacity(sockets.count)
        for (socket, mask) in zip(sockets, events) {
            items.append(zmq_pollitem_t(socket: try socket.open("zmq_poll"), fd: 0, events: mask, revents: 0))
        }
        var count: Int32
        repeat {
            count = zmq_poll(&items, Int32(items.count), timeoutMS)
        } while count < 0 && zmq_errno() == EINTR
        guard count >= 0 else { throw ZMQError.last("zmq_poll") }
        return items.map { Int32($0.revents) & ZMQ_POLLIN != 0 }
    }
}
