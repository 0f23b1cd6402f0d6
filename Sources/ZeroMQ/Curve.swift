import CZeroMQ

/// A CURVE (CurveZMQ, RFC 26) key pair in Z85 text: 40 printable characters per 32-byte key.
public struct CurveKeyPair: Hashable, Sendable {
    /// The public key (Z85, 40 characters): give it to peers.
    public let publicKey: String
    /// The secret key (Z85, 40 characters): never leaves this machine, never logged.
    public let secretKey: String

    /// Wraps an existing key pair, checking both are 40-character Z85 keys.
    /// - Throws: `ZMQError` with `EINVAL` when either key is not a Z85 key.
    public init(publicKey: String, secretKey: String) throws {
        try CurveKeyPair.check(publicKey, "public")
        try CurveKeyPair.check(secretKey, "secret")
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Generates a fresh key pair (`zmq_curve_keypair`).
    /// - Throws: `ZMQError` with `ENOTSUP` when libzmq was built without CURVE.
    public static func generate() throws -> CurveKeyPair {
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicText, &secretText) == 0 else { throw ZMQError.last("zmq_curve_keypair") }
        return try CurveKeyPair(publicKey: text(publicText), secretKey: text(secretText))
    }

    /// The public key that belongs to a secret key (`zmq_curve_public`).
    /// - Throws: `ZMQError` with `EINVAL` for a malformed secret key.
    public static func publicKey(forSecretKey secretKey: String) throws -> String {
        try check(secretKey, "secret")
        var publicText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicText, secretKey) == 0 else { throw ZMQError.last("zmq_curve_public") }
        return text(publicText)
    }

    /// True when libzmq was built with CURVE support.
    public static var isAvailable: Bool { zmq_has("curve") != 0 }

    private static func text(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func check(_ key: String, _ kind: String) throws {
        var decoded = [UInt8](repeating: 0, count: 32)
        guard key.utf8.count == 40, zmq_z85_decode(&decoded, key) != nil else {
            throw ZMQError(operation: "CURVE \(kind) key (expected 40 Z85 characters)", code: EINVAL)
        }
    }
}

extension Socket {
    /// Makes this socket a CURVE server: it encrypts every connection and proves it holds `keyPair`.
    /// Call before `bind`. Without a ZAP handler every client that knows the server key is accepted.
    public func makeCurveServer(_ keyPair: CurveKeyPair) throws {
        try setOption(ZMQ_CURVE_SERVER, Int32(1), "ZMQ_CURVE_SERVER")
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(keyPair.secretKey.utf8), "ZMQ_CURVE_SECRETKEY")
    }

    /// Makes this socket a CURVE client of the server whose public key is `serverPublicKey`, using
    /// its own key pair. Call before `connect`. A server with a different key never completes the
    /// handshake, so no message is exchanged.
    /// - Throws: `ZMQError` with `EINVAL` when a key is malformed.
    public func makeCurveClient(serverPublicKey: String, keyPair: CurveKeyPair) throws {
        try CurveKeyPair.check(serverPublicKey, "server public")
        try setOption(ZMQ_CURVE_SERVERKEY, bytes: Array(serverPublicKey.utf8), "ZMQ_CURVE_SERVERKEY")
        try setOption(ZMQ_CURVE_PUBLICKEY, bytes: Array(keyPair.publicKey.utf8), "ZMQ_CURVE_PUBLICKEY")
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(keyPair.secretKey.utf8), "ZMQ_CURVE_SECRETKEY")
    }
}
