import Foundation
import Testing

@testable import ZeroMQ

@Suite("CURVE security")
struct CurveTests {
    @Test("Generated key pairs are Z85 text and the public key derives from the secret key")
    func keyPairs() throws {
        try #require(CurveKeyPair.isAvailable)
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.utf8.count == 40)
        #expect(pair.secretKey.utf8.count == 40)
        #expect(try CurveKeyPair.publicKey(forSecretKey: pair.secretKey) == pair.publicKey)
        #expect(try CurveKeyPair.generate() != pair)
        #expect(throws: ZMQError.self) { try CurveKeyPair(publicKey: "short", secretKey: pair.secretKey) }
    }

    /// Runs a CURVE client against a CURVE server and returns what the server received, if anything.
    private func exchange(clientBelievesServerKey: (CurveKeyPair) -> String, waitMS: Int32) throws -> [[UInt8]]? {
        let context = try Context()
        let serverKeys = try CurveKeyPair.generate()
        let server = try Socket(context, .router)
        try server.makeCurveServer(serverKeys)
        try server.bind("tcp://127.0.0.1:*")
        let endpoint = try server.lastEndpoint()

        let client = try Socket(context, .dealer)
        try client.makeCurveClient(
            serverPublicKey: clientBelievesServerKey(serverKeys), keyPair: try CurveKeyPair.generate())
        try client.connect(endpoint)
        try client.send([Array("secret dose".utf8)])
        try server.setReceiveTimeout(milliseconds: waitMS)
        guard let message = try server.receive() else { return nil }
        try server.send([message[0], Array("ack".utf8)])
        try client.setReceiveTimeout(milliseconds: waitMS)
        return try client.receive().map { message + $0 }
    }

    @Test("A client with the right server key completes the handshake both ways")
    func rightKey() throws {
        let frames = try #require(try exchange(clientBelievesServerKey: { $0.publicKey }, waitMS: 5_000))
        #expect(frames.suffix(2) == [Array("secret dose".utf8), Array("ack".utf8)])
    }

    @Test("A client with a wrong server key never gets a message through")
    func wrongKey() throws {
        // 700 ms is many handshake round trips on loopback (sub-millisecond each).
        let frames = try exchange(clientBelievesServerKey: { _ in try! CurveKeyPair.generate().publicKey }, waitMS: 700)
        #expect(frames == nil)
    }
}

@Suite("CURVE allowed client keys (ZAP)")
struct CurveAuthenticatorTests {
    @Test("Only a client whose public key is allowed gets through")
    func allowList() throws {
        let context = try Context()
        let serverKeys = try CurveKeyPair.generate()
        let allowed = try CurveKeyPair.generate(), stranger = try CurveKeyPair.generate()
        let authenticator = try CurveAuthenticator(context: context, allowedPublicKeys: [allowed.publicKey])
        defer { authenticator.stop() }
        let server = try Socket(context, .router)
        try server.setZAPDomain(CurveAuthenticator.domain)
        try server.makeCurveServer(serverKeys)
        try server.bind("tcp://127.0.0.1:*")
        let endpoint = try server.lastEndpoint()

        func deliver(as keys: CurveKeyPair, waitMS: Int32) throws -> [[UInt8]]? {
            let client = try Socket(context, .dealer)
            try client.makeCurveClient(serverPublicKey: serverKeys.publicKey, keyPair: keys)
            try client.connect(endpoint)
            try client.send([Array("hello".utf8)])
            try server.setReceiveTimeout(milliseconds: waitMS)
            return try server.receive()
        }
        // 700 ms is hundreds of loopback handshakes: a delivered message would be here.
        #expect(try deliver(as: stranger, waitMS: 700) == nil)
        #expect(try deliver(as: allowed, waitMS: 5_000)?.last == Array("hello".utf8))
    }

    @Test("A second handler in the same context is refused; a malformed allowed key is refused")
    func errors() throws {
        let context = try Context()
        let first = try CurveAuthenticator(context: context, allowedPublicKeys: [])
        defer { first.stop() }
        #expect(throws: ZMQError.self) { try CurveAuthenticator(context: context, allowedPublicKeys: []) }
        #expect(throws: ZMQError.self) { try CurveAuthenticator(context: try Context(), allowedPublicKeys: ["short"]) }
    }

    @Test("Malformed ZAP requests get a 500, non-CURVE mechanisms a 400")
    func answers() {
        #expect(CurveAuthenticator.answer([[1]], [], { _, _ in })[2] == Array("500".utf8))
        let null = [Array("1.0".utf8), [7], [], [], [], Array("NULL".utf8)]
        #expect(CurveAuthenticator.answer(null, [], { _, _ in })[2] == Array("400".utf8))
    }
}
