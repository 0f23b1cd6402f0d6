import CZeroMQ

// MARK: - Typed options

extension Socket {
    /// Milliseconds that unsent messages are kept after `close()` (`ZMQ_LINGER`; -1 forever).
    public func setLinger(milliseconds: Int32) throws { try setOption(ZMQ_LINGER, milliseconds, "ZMQ_LINGER") }

    /// The send high-water mark, in messages (`ZMQ_SNDHWM`; 0 unlimited).
    public func setSendHighWaterMark(_ messages: Int32) throws { try setOption(ZMQ_SNDHWM, messages, "ZMQ_SNDHWM") }

    /// The receive high-water mark, in messages (`ZMQ_RCVHWM`; 0 unlimited).
    public func setReceiveHighWaterMark(_ messages: Int32) throws {
        try setOption(ZMQ_RCVHWM, messages, "ZMQ_RCVHWM")
    }

    /// How long a blocking receive waits before returning nil (`ZMQ_RCVTIMEO`; -1 forever).
    public func setReceiveTimeout(milliseconds: Int32) throws {
        try setOption(ZMQ_RCVTIMEO, milliseconds, "ZMQ_RCVTIMEO")
    }

    /// How long a blocking send waits before failing with `EAGAIN` (`ZMQ_SNDTIMEO`; -1 forever).
    public func setSendTimeout(milliseconds: Int32) throws {
        try setOption(ZMQ_SNDTIMEO, milliseconds, "ZMQ_SNDTIMEO")
    }

    /// The identity a ROUTER peer sees for this socket (`ZMQ_ROUTING_ID`, 1–255 bytes, not starting with 0).
    /// Set it before `connect`.
    public func setRoutingID(_ id: [UInt8]) throws { try setOption(ZMQ_ROUTING_ID, bytes: id, "ZMQ_ROUTING_ID") }

    /// The largest inbound message accepted, in bytes (`ZMQ_MAXMSGSIZE`; -1 unlimited). A peer that
    /// sends a larger one is disconnected and the message is never delivered.
    public func setMaximumMessageSize(bytes: Int64) throws {
        try setOption(ZMQ_MAXMSGSIZE, int64: bytes, "ZMQ_MAXMSGSIZE")
    }

    /// ROUTER only: fail with `EHOSTUNREACH` instead of silently dropping a message to an unknown peer
    /// (`ZMQ_ROUTER_MANDATORY`).
    public func setRouterMandatory(_ on: Bool) throws {
        try setOption(ZMQ_ROUTER_MANDATORY, on ? 1 : 0, "ZMQ_ROUTER_MANDATORY")
    }

    /// ROUTER only: a new connection with a routing id already in use takes it over
    /// (`ZMQ_ROUTER_HANDOVER`), so a restarted worker with a fixed id is reachable at once.
    public func setRouterHandover(_ on: Bool) throws {
        try setOption(ZMQ_ROUTER_HANDOVER, on ? 1 : 0, "ZMQ_ROUTER_HANDOVER")
    }

    /// First and maximum reconnect interval in milliseconds (`ZMQ_RECONNECT_IVL`, `ZMQ_RECONNECT_IVL_MAX`):
    /// libzmq doubles the interval after each failed attempt up to the maximum.
    public func setReconnectInterval(milliseconds: Int32, maximumMilliseconds: Int32) throws {
        try setOption(ZMQ_RECONNECT_IVL, milliseconds, "ZMQ_RECONNECT_IVL")
        try setOption(ZMQ_RECONNECT_IVL_MAX, maximumMilliseconds, "ZMQ_RECONNECT_IVL_MAX")
    }

    /// ZMTP heartbeats (`ZMQ_HEARTBEAT_IVL`, `ZMQ_HEARTBEAT_TTL`, `ZMQ_HEARTBEAT_TIMEOUT`): ping every
    /// `intervalMS`, ask the peer to drop us after `timeToLiveMS` of silence, drop the peer after
    /// `timeoutMS` without a reply. These detect dead TCP links below the application protocol.
    public func setHeartbeat(intervalMS: Int32, timeToLiveMS: Int32, timeoutMS: Int32) throws {
        try setOption(ZMQ_HEARTBEAT_IVL, intervalMS, "ZMQ_HEARTBEAT_IVL")
        try setOption(ZMQ_HEARTBEAT_TTL, timeToLiveMS, "ZMQ_HEARTBEAT_TTL")
        try setOption(ZMQ_HEARTBEAT_TIMEOUT, timeoutMS, "ZMQ_HEARTBEAT_TIMEOUT")
    }

    /// Queue messages only to completed connections (`ZMQ_IMMEDIATE`).
    public func setImmediate(_ on: Bool) throws { try setOption(ZMQ_IMMEDIATE, on ? 1 : 0, "ZMQ_IMMEDIATE") }

    /// SUB only: receive messages whose first frame starts with `prefix` (empty: everything).
    public func subscribe(_ prefix: [UInt8] = []) throws { try setOption(ZMQ_SUBSCRIBE, bytes: prefix, "ZMQ_SUBSCRIBE") }

    /// The endpoint this socket last bound or connected to, with a `*` port resolved to the real one.
    public func lastEndpoint() throws -> String {
        let socket = try open("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        guard zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else {
            throw ZMQError.last("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

// MARK: - Raw setters

extension Socket {
    func setOption(_ option: Int32, _ value: Int32, _ name: String) throws {
        var value = value
        let socket = try open("zmq_setsockopt(\(name))")
        guard zmq_setsockopt(socket, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last("zmq_setsockopt(\(name), \(value))")
        }
    }

    func setOption(_ option: Int32, int64 value: Int64, _ name: String) throws {
        var value = value
        let socket = try open("zmq_setsockopt(\(name))")
        guard zmq_setsockopt(socket, option, &value, MemoryLayout<Int64>.size) == 0 else {
            throw ZMQError.last("zmq_setsockopt(\(name), \(value))")
        }
    }

    func setOption(_ option: Int32, bytes: [UInt8], _ name: String) throws {
        let socket = try open("zmq_setsockopt(\(name))")
        let status = bytes.withUnsafeBytes { zmq_setsockopt(socket, option, $0.baseAddress, $0.count) }
        guard status == 0 else { throw ZMQError.last("zmq_setsockopt(\(name))") }
    }
}
