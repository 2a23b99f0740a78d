import NIOCore
import NIOHTTP1

extension ExchangeStateMachine {
    /// The limits of each phase.
    struct Limits {
        var maxBody: Int
        /// `limits.body_timeout`
        var bodyTimeout: TimeAmount
        /// `upstream.timeout`
        var responseTimeout: TimeAmount
        /// `upstream.read_timeout`
        var readTimeout: TimeAmount
        /// `limits.write_timeout`
        var writeTimeout: TimeAmount
    }

    /// What the handler does next.
    enum Action {
        case none
        /// Writes `100 Continue` when `sendContinue`, then asks the pool for a connection (`fresh`: a new one)
        /// and reports it with ``upstreamAcquired(_:number:now:)``.
        case acquireUpstream(number: Int, fresh: Bool, sendContinue: Bool)
        /// Writes the head (if any) and the parts to the backend, and flushes when `flush`.
        case writeUpstream(Upstream, head: HTTPRequestHead?, parts: [HTTPClientRequestPart], flush: Bool)
        case flushUpstream(Upstream)
        /// A connection that arrived for an exchange that is over: back to the pool.
        case releaseUpstream(Upstream)
        case writeResponseHead(HTTPResponseHead)
        case writeResponseBody(ByteBuffer)
        /// Writes `rest` and the end of the response, closes after it when `close`, hands the backend connection
        /// back or aborts it, and records the exchange.
        case finishResponse(rest: ByteBuffer?, trailers: HTTPHeaders?, close: Bool, upstream: Disposal, record: ExchangeRecord)
        /// Aborts `abort` (the backend never sees a complete request), answers with the problem (closing after it when
        /// it says so) and records the exchange.
        case respond(Problem, version: HTTPVersion, requestID: String, abort: Upstream?, record: ExchangeRecord)
        /// Aborts `abort`, closes (or resets) the client's connection, and records the exchange if there is one.
        case close(abort: Upstream?, record: ExchangeRecord?)
    }

    /// What becomes of a backend connection when its exchange ends.
    enum Disposal {
        case none
        case release(Upstream)
        case abort(Upstream)
    }
}
