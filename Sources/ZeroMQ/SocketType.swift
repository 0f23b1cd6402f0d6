import CZeroMQ

/// The ZeroMQ socket patterns this module offers.
public enum SocketType: Sendable, Hashable, CustomStringConvertible {
    /// Addresses each peer by its routing id (the coordinator's side of the wire).
    case router
    /// Fair-queues outgoing messages to its peers, no envelope (workers and clients).
    case dealer
    /// One peer, both directions (in-process pipes).
    case pair
    /// Publishes to every subscriber.
    case publisher
    /// Receives the topics it subscribes to.
    case subscriber
    /// Sends to a pipeline (many pushers may feed one puller).
    case push
    /// Receives from a pipeline, fair-queued.
    case pull
    /// Strict request–reply, client side.
    case request
    /// Strict request–reply, server side.
    case reply

    var rawValue: Int32 {
        switch self {
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .pair: ZMQ_PAIR
        case .publisher: ZMQ_PUB
        case .subscriber: ZMQ_SUB
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .request: ZMQ_REQ
        case .reply: ZMQ_REP
        }
    }

    public var description: String {
        switch self {
        case .router: "ROUTER"
        case .dealer: "DEALER"
        case .pair: "PAIR"
        case .publisher: "PUB"
        case .subscriber: "SUB"
        case .push: "PUSH"
        case .pull: "PULL"
        case .request: "REQ"
        case .reply: "REP"
        }
    }
}
