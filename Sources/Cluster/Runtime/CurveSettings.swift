import ZeroMQ

/// CURVE security for one side of the wire: the coordinator holds a server key pair; workers and
/// clients hold their own key pair and the coordinator's public key.
public enum CurveSettings: Sendable, Hashable {
    /// No encryption (allowed on loopback and `inproc://` only, unless explicitly requested).
    case none
    /// The coordinator side.
    case server(CurveKeyPair)
    /// A worker or client side.
    case client(CurveKeyPair, serverPublicKey: String)

    func apply(to socket: Socket) throws {
        switch self {
        case .none: break
        case .server(let keys): try socket.makeCurveServer(keys)
        case .client(let keys, let server): try socket.makeCurveClient(serverPublicKey: server, keyPair: keys)
        }
    }

    /// True when plain text on `endpoint` is safe: in-process, or TCP/IPC on the loopback interface.
    public static func isLocal(_ endpoint: String) -> Bool {
        if endpoint.hasPrefix("inproc://") || endpoint.hasPrefix("ipc://") { return true }
        guard endpoint.hasPrefix("tcp://") else { return false }
        let host = endpoint.dropFirst("tcp://".count).split(separator: ":").dropLast().joined(separator: ":")
        return ["127.0.0.1", "localhost", "[::1]", "::1"].contains(host)
    }
}
