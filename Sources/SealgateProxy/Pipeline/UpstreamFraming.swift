import NIOCore
import NIOHTTP1

/// How a request body is framed towards the backend. The planner picks one from what the client sent; the exchange
/// state machine resolves it to framing fields when it writes the head, the only place they are set.
enum UpstreamFraming: Equatable {
    /// No body.
    case none
    /// A body of this many bytes, sent as it came.
    case length(Int)
    /// A body of unknown length, sent chunked.
    case chunked
    /// An HTTP/2 body of unknown length: chunked, unless its first part is its end (then no body at all).
    case chunkedUnlessEmpty
    /// A rewritten body: held until its end and sent with its new length while it stays within `holdLimit` bytes,
    /// else (or when it ends with trailers) chunked. `mayBeEmpty`: an empty body is sent without one, as it came.
    case rewritten(holdLimit: Int, mayBeEmpty: Bool)
    /// The head already carries its framing (a replayed request).
    case decided

    /// The framing fields of the head, once the first part (`first`) or, for held bodies, the whole body is known.
    /// - Parameters:
    ///   - first: the first request part to follow the head.
    ///   - heldLength: the length of the whole held body, when it went upstream in one piece.
    static func fields(of framing: UpstreamFraming, first: HTTPClientRequestPart?, heldLength: Int?) -> Resolved {
        switch framing {
        case .none, .decided:
            return .none
        case .length(let length):
            return .length(length)
        case .chunked:
            return .chunked
        case .chunkedUnlessEmpty:
            if case .end? = first { return .none }
            return .chunked
        case .rewritten(_, let mayBeEmpty):
            guard let heldLength else { return .chunked }
            return heldLength == 0 && mayBeEmpty ? .none : .length(heldLength)
        }
    }

    /// Framing fields to write.
    enum Resolved: Equatable {
        case none
        case length(Int)
        case chunked

        func apply(to headers: inout HTTPHeaders) {
            switch self {
            case .none: break
            case .length(let length): headers.add(name: "content-length", value: String(length))
            case .chunked: headers.add(name: "transfer-encoding", value: "chunked")
            }
        }
    }
}
