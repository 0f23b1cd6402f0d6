import Foundation
import Testing

@testable import ZeroMQ

/// Endpoints for a fresh, unique binding: inproc by name, tcp on a free loopback port.
enum Transport: String, CaseIterable, CustomTestStringConvertible {
    case inproc, tcp
    var bindEndpoint: String {
        switch self {
        case .inproc: "inproc://zmq-test-\(UUID().uuidString)"
        case .tcp: "tcp://127.0.0.1:*"
        }
    }
    var testDescription: String { rawValue }
}

@Suite("ZeroMQ sockets")
struct SocketTests {
    @Test("ROUTER/DEALER round trip of multipart frames", arguments: Transport.allCases)
    func routerDealerRoundTrip(transport: Transport) throws {
        let context = try Context()
        let router = try Socket(context, .router)
        try router.bind(transport.bindEndpoint)
        let endpoint = try router.lastEndpoint()
        if transport == .tcp { #expect(endpoint.hasPrefix("tcp://127.0.0.1:") && !endpoint.hasSuffix(":*")) }
        let dealer = try Socket(context, .dealer)
        try dealer.setRoutingID(Array("worker-1".utf8))
        try dealer.connect(endpoint)
        try router.setReceiveTimeout(milliseconds: 5_000)
        try dealer.setReceiveTimeout(milliseconds: 5_000)

        let big = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try dealer.send([[0x01, 0x02], [], big, Array(Data("tail".utf8))])
        let received = try #require(try router.receive())
        #expect(received.count == 5)
        #expect(received[0] == Array("worker-1".utf8))
        #expect(received[1] == [0x01, 0x02])
        #expect(received[2] == [])
        #expect(received[3] == big)
        #expect(received[4] == Array("tail".utf8))

        try router.send([received[0], [0xAA], Array(repeating: 7, count: 3)])
        let reply = try #require(try dealer.receive())
        #expect(reply == [[0xAA], [7, 7, 7]])
    }

    @Test("Data frames are sent like byte arrays")
    func dataFrames() throws {
        let context = try Context()
        let name = Transport.inproc.bindEndpoint
        let a = try Socket(context, .pair)
        try a.bind(name)
        let b = try Socket(context, .pair)
        try b.connect(name)
        try b.setReceiveTimeout(milliseconds: 5_000)
        try a.send([Data([1, 2, 3]), Data()])
        #expect(try b.receive() == [[1, 2, 3], []])
    }

    @Test("PUB/SUB delivers subscribed topics only")
    func publishSubscribe() throws {
        let context = try Context()
        let name = Transport.inproc.bindEndpoint
        let publisher = try Socket(context, .publisher)
        try publisher.bind(name)
        let subscriber = try Socket(context, .subscriber)
        try subscriber.subscribe(Array("dose".utf8))
        try subscriber.connect(name)
        try subscriber.setReceiveTimeout(milliseconds: 50)
        // Subscriptions propagate asynchronously: publish until the first one arrives (bounded).
        var got: [[UInt8]]?
        for _ in 0..<100 where got == nil {
            try publisher.send([Array("other".utf8)])
            try publisher.send([Array("dose".utf8), [42]])
            got = try subscriber.receive()
        }
        #expect(got == [Array("dose".utf8), [42]])
    }

    @Test("A poll with nothing to read returns after its timeout with no socket ready")
    func pollTimeout() throws {
        let context = try Context()
        let router = try Socket(context, .router)
        try router.bind(Transport.tcp.bindEndpoint)
        var poller = Poller()
        poller.add(router)
        let start = ContinuousClock.now
        let ready = try poller.poll(timeoutMS: 100)
        let elapsed = ContinuousClock.now - start
        #expect(ready == [false])
        // libzmq may return a little early on coarse clocks; 80 ms leaves room for 1 jiffy (10 ms) twice.
        #expect(elapsed >= .milliseconds(80))
        #expect(try router.receive(wait: false) == nil)
    }

    @Test("A poll reports the socket that has a message")
    func pollReady() throws {
        let context = try Context()
        let name = Transport.inproc.bindEndpoint
        let a = try Socket(context, .pair)
        try a.bind(name)
        let b = try Socket(context, .pair)
        try b.connect(name)
        let idle = try Socket(context, .pair)
        try idle.bind(Transport.inproc.bindEndpoint)
        try b.send([[9]])
        var poller = Poller()
        poller.add(idle)
        poller.add(a)
        #expect(try poller.poll(timeoutMS: 5_000) == [false, true])
        #expect(try a.receive(wait: false) == [[9]])
    }

    @Test("A message over the maximum size is never delivered and the peer is dropped")
    func maximumMessageSize() throws {
        let context = try Context()
        let router = try Socket(context, .router)
        try router.setMaximumMessageSize(bytes: 1_000)
        try router.bind(Transport.tcp.bindEndpoint)
        let endpoint = try router.lastEndpoint()
        try router.setReceiveTimeout(milliseconds: 500)

        let dealer = try Socket(context, .dealer)
        try dealer.connect(endpoint)
        try dealer.send([[UInt8](repeating: 1, count: 1_001)])
        // 500 ms on loopback is ~1000× the round-trip time: a delivered message would be here.
        #expect(try router.receive() == nil)

        // The router keeps serving: a well-behaved peer still gets through.
        let polite = try Socket(context, .dealer)
        try polite.connect(endpoint)
        try polite.send([[UInt8](repeating: 2, count: 1_000)])
        try router.setReceiveTimeout(milliseconds: 5_000)
        let received = try #require(try router.receive())
        #expect(received.last == [UInt8](repeating: 2, count: 1_000))
    }

    @Test("ROUTER with router-mandatory refuses an unknown peer with EHOSTUNREACH")
    func routerMandatory() throws {
        let context = try Context()
        let router = try Socket(context, .router)
        try router.setRouterMandatory(true)
        try router.bind(Transport.inproc.bindEndpoint)
        do {
            try router.send([Array("nobody".utf8), [1]])
            Issue.record("sending to an unknown peer should fail")
        } catch let error as ZMQError {
            #expect(error.hostUnreachable)
            #expect(error.message.lowercased().contains("host"))
        }
    }

    @Test("Options are accepted: high-water marks, heartbeats, reconnect, linger, immediate, handover")
    func options() throws {
        let context = try Context()
        let socket = try Socket(context, .router, lingerMS: 100)
        try socket.setSendHighWaterMark(10)
        try socket.setReceiveHighWaterMark(10)
        try socket.setHeartbeat(intervalMS: 1_000, timeToLiveMS: 3_000, timeoutMS: 3_000)
        try socket.setReconnectInterval(milliseconds: 100, maximumMilliseconds: 5_000)
        try socket.setLinger(milliseconds: 0)
        try socket.setImmediate(true)
        try socket.setRouterHandover(true)
        try socket.setSendTimeout(milliseconds: 10)
    }

    @Test("Errors carry errno and libzmq's text; a closed socket closes once and then refuses work")
    func errors() throws {
        let context = try Context()
        let socket = try Socket(context, .dealer)
        do {
            try socket.bind("nonsense://here")
            Issue.record("a bad endpoint should fail")
        } catch let error as ZMQError {
            #expect(error.code == EPROTONOSUPPORT)
            #expect(error.description.contains("nonsense://here"))
            #expect(!error.message.isEmpty)
        }
        socket.close()
        socket.close()
        #expect(!socket.isOpen)
        #expect(throws: ZMQError(operation: "zmq_send", code: ENOTSOCK)) { try socket.send([[1]]) }
        #expect(throws: ZMQError.self) { try socket.receive() }
        #expect(throws: ZMQError.self) { try socket.connect("tcp://127.0.0.1:1") }
    }
}

@Suite("ZeroMQ pipelines")
struct PipelineTests {
    @Test("Many PUSH sockets, one after another, all reach one PULL")
    func pushPull() throws {
        let context = try Context()
        let name = Transport.inproc.bindEndpoint
        let pull = try Socket(context, .pull)
        try pull.bind(name)
        try pull.setReceiveTimeout(milliseconds: 5_000)
        for n in 0..<5 {
            let push = try Socket(context, .push, lingerMS: 1_000)
            try push.connect(name)
            try push.send([[UInt8(n)]])
        }
        let received = try (0..<5).map { _ in try #require(try pull.receive()).first!.first! }
        #expect(received.sorted() == [0, 1, 2, 3, 4])
    }
}
