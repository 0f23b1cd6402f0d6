import CZeroMQ
import Dispatch
import Foundation
import Synchronization

/// A ZAP handler (ZeroMQ RFC 27) that lets only listed CURVE clients complete their handshake.
///
/// libzmq asks the handler bound at `inproc://zeromq.zap.01` of the server socket's context about
/// every CURVE connection; this one answers "200" for a client whose public key is in the allowed
/// set and "400" otherwise, so an unlisted client never exchanges a message. Create it before the
/// server socket binds; it runs on its own thread until `stop()` (or deinit).
public final class CurveAuthenticator: Sendable {
    /// The ZAP domain the server socket names (`Socket.setZAPDomain`).
    public static let domain = "penumbra"

    private let stopRequested = Flag()
    private let finished = DispatchSemaphore(value: 0)
    /// True until the handler thread runs, and again once stopped: deinit (which also runs when the
    /// initialiser throws) waits for the thread only in between.
    private let stopped = Mutex(true)

    /// Starts answering ZAP requests in `context`.
    /// - Parameters:
    ///   - context: the server socket's context.
    ///   - allowedPublicKeys: client public keys (Z85, 40 characters) that may connect.
    ///   - onDecision: called on the handler's thread with each client key and whether it was let in
    ///     (for logs).
    /// - Throws: `ZMQError` when a key is malformed or the ZAP endpoint cannot be bound (e.g. another
    ///   handler already runs in this context).
    public init(
        context: Context, allowedPublicKeys: Set<String>,
        onDecision: @escaping @Sendable (_ publicKey: String, _ allowed: Bool) -> Void = { _, _ in }
    ) throws {
        for key in allowedPublicKeys { try CurveKeyPair.check(key, "allowed public") }
        let bound = Mutex<ZMQError??>(nil)
        let ready = DispatchSemaphore(value: 0)
        let stopRequested = self.stopRequested, finished = self.finished
        let thread = Thread {
            defer { finished.signal() }
            let socket: Socket
            do {
                socket = try Socket(context, .reply)
                try socket.bind("inproc://zeromq.zap.01")
                bound.withLock { $0 = .some(nil) }
                ready.signal()
            } catch {
                bound.withLock { $0 = .some(error as? ZMQError ?? ZMQError(operation: "ZAP handler", code: EINVAL)) }
                ready.signal()
                return
            }
            var poller = Poller()
            poller.add(socket)
            while !stopRequested.isRaised {
                guard (try? poller.poll(timeoutMS: 100))?.first == true,
                    let request = try? socket.receive(wait: false)
                else { continue }
                let reply = Self.answer(request, allowedPublicKeys, onDecision)
                _ = try? socket.send(reply)
            }
        }
        thread.name = "penumbra-zap"
        thread.start()
        ready.wait()
        if case .some(.some(let error)) = bound.withLock({ $0 }) {
            finished.wait()
            throw error
        }
        stopped.withLock { $0 = false }
    }

    /// The reply to one ZAP request: version, request id, status code, status text, user id, metadata.
    static func answer(
        _ request: [[UInt8]], _ allowed: Set<String>, _ onDecision: (String, Bool) -> Void
    ) -> [[UInt8]] {
        guard request.count >= 6, request[0] == Array("1.0".utf8) else {
            return [Array("1.0".utf8), request.count > 1 ? request[1] : [], Array("500".utf8),
                    Array("malformed ZAP request".utf8), [], []]
        }
        let requestID = request[1]
        guard request[5] == Array("CURVE".utf8), request.count >= 7, request[6].count == 32 else {
            return [Array("1.0".utf8), requestID, Array("400".utf8), Array("CURVE required".utf8), [], []]
        }
        var text = [CChar](repeating: 0, count: 41)
        let key = request[6]
        _ = key.withUnsafeBufferPointer { zmq_z85_encode(&text, $0.baseAddress, 32) }
        let publicKey = String(decoding: text.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let ok = allowed.contains(publicKey)
        onDecision(publicKey, ok)
        return [
            Array("1.0".utf8), requestID, Array((ok ? "200" : "400").utf8),
            Array((ok ? "OK" : "public key not allowed").utf8), ok ? Array(publicKey.utf8) : [], [],
        ]
    }

    /// Stops the handler and waits for its thread. Later calls do nothing.
    public func stop() {
        guard !stopped.withLock({ done in defer { done = true }; return done }) else { return }
        stopRequested.raise()
        finished.wait()
    }

    deinit { stop() }
}

extension Socket {
    /// The ZAP domain this socket's connections are authenticated in (`ZMQ_ZAP_DOMAIN`).
    public func setZAPDomain(_ domain: String) throws {
        try setOption(ZMQ_ZAP_DOMAIN, bytes: Array(domain.utf8), "ZMQ_ZAP_DOMAIN")
    }
}

/// A flag raised by one thread and read by another.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func raise() { value.store(true, ordering: .releasing) }
    var isRaised: Bool { value.load(ordering: .acquiring) }
}
