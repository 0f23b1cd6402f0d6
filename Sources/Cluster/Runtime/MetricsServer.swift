import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal HTTP/1.1 listener for Prometheus scrapes: `GET /metrics` gets the coordinator's metrics
/// in the text exposition format; anything else gets 404 (or 400 when it is not HTTP). One request
/// per connection, answered and closed; requests are read with a 2 s timeout and at most 8 KiB.
///
/// It serves plain HTTP without authentication: bind it to loopback or a private network (the
/// coordinator's default is 127.0.0.1). A full HTTP stack (swift-nio) would be a large dependency for
/// one read-only page that Prometheus polls every few seconds.
public final class MetricsServer: Sendable {
    /// The bound address as HOST:PORT (a port 0 request resolved).
    public let address: String
    private let listener: Int32
    private let stop = StopSignal()
    private let exited = DispatchSemaphore(value: 0)

    /// Binds `bind` (IPV4:PORT, `*:PORT` for every interface; port 0 picks a free one) and serves
    /// `metrics` on its own thread until `shutdown()`.
    /// - Throws: `ClusterError.configuration` when the address is malformed or cannot be bound.
    public init(bind: String, metrics: CoordinatorMetrics, logger: Logger) throws(ClusterError) {
        guard let colon = bind.lastIndex(of: ":"), let port = UInt16(bind[bind.index(after: colon)...]) else {
            throw .configuration("metrics address '\(bind)' is not HOST:PORT, e.g. 127.0.0.1:9464")
        }
        let host = String(bind[..<colon])
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        if host == "*" || host == "0.0.0.0" {
            socketAddress.sin_addr.s_addr = INADDR_ANY
        } else if inet_pton(AF_INET, host, &socketAddress.sin_addr) != 1 {
            throw .configuration(
                "metrics host '\(host)' is not an IPv4 address (use 127.0.0.1 or * for all interfaces)")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else {
            throw .configuration("cannot open a socket for metrics: \(String(cString: strerror(errno)))")
        }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .configuration("cannot serve metrics on \(bind): \(reason)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        address = "\(host):\(UInt16(bigEndian: actual.sin_port))"
        listener = fd
        let stop = self.stop, exited = self.exited
        let thread = Thread {
            Self.serve(fd, metrics: metrics, until: stop, logger: logger)
            exited.signal()
        }
        thread.name = "penumbra-metrics"
        thread.start()
    }

    /// Stops serving and closes the socket.
    public func shutdown() {
        stop.raise()
        exited.wait()
        close(listener)
    }

    private static func serve(_ listener: Int32, metrics: CoordinatorMetrics, until stop: StopSignal, logger: Logger) {
        while !stop.isRaised {
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let wait = Int32(LoopTiming.pollTimeoutMS(now: .zero, deadline: LoopTiming.maximumPoll))
            guard poll(&entry, 1, wait) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            respond(client, metrics: metrics, logger: logger)
            close(client)
        }
    }

    private static func respond(_ client: Int32, metrics: CoordinatorMetrics, logger: Logger) {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2_048)
        while request.count < 8_192, !request.containsHeaderEnd {
            let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            request += chunk[..<count]
        }
        let line = String(decoding: request.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self).split(separator: " ")
        let status: String, body: [UInt8], type: String
        if line.count == 3, line[2].hasPrefix("HTTP/1.") {
            if line[0] == "GET", line[1] == "/metrics" || line[1].hasPrefix("/metrics?") {
                (status, body, type) = ("200 OK", metrics.exposition(), "text/plain; version=0.0.4; charset=utf-8")
            } else {
                (status, body, type) = ("404 Not Found", Array("only GET /metrics is served here\n".utf8), "text/plain")
            }
        } else {
            logger.notice("metrics: refused a request that is not HTTP/1.x")
            (status, body, type) = ("400 Bad Request", Array("not an HTTP/1.x request\n".utf8), "text/plain")
        }
        let head =
            "HTTP/1.1 \(status)\r\nContent-Type: \(type)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        var bytes = Array(head.utf8) + body
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            bytes.removeFirst(sent)
        }
    }
}

extension [UInt8] {
    /// True once the bytes hold the blank line that ends HTTP headers.
    fileprivate var containsHeaderEnd: Bool {
        count >= 4
            && (0...(count - 4)).contains {
                self[$0] == 0x0D && self[$0 + 1] == 0x0A && self[$0 + 2] == 0x0D && self[$0 + 3] == 0x0A
            }
    }
}
