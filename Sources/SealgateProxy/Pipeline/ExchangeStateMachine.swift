import NIOCore
import NIOHTTP1

/// The life of the requests of one HTTP/1.1 connection or one HTTP/2 stream, as a value.
///
/// The handler reports each event (a request part, a backend connection, a response part, a timer, a close) and
/// performs the one ``Action`` it gets back; the machine does no I/O. Between events it also tells the handler
/// whether reads are open on either side (``readsClient``, ``attachedUpstream``) and when its next deadline is
/// (``nextDeadline``). `Upstream` is the backend connection's type (a stand-in in tests).
///
/// An exchange moves through: waiting for a backend connection (client reads held), sending the request (a
/// rewritten body possibly held for its length), waiting for the response head, streaming the response, then
/// idle, or discarding the rest of a request body that was answered early, or closed.
///
/// The transitions stay in this one file, over 400 lines, so that the state can stay private to them; the types
/// they use are in `ExchangeStateMachine+*.swift`.
struct ExchangeStateMachine<Upstream: AnyObject> {
    private enum State {
        case idle
        case active(Exchange)
        /// A request was answered before its body ended: up to `remaining` more bytes are read and dropped.
        case discarding(remaining: Int, deadline: NIODeadline)
        case closed
    }

    /// Methods that may be retried automatically (RFC 9110 §9.2.2).
    private static var idempotentMethods: [HTTPMethod] { [.GET, .HEAD, .OPTIONS, .PUT, .DELETE] }

    /// Discarded request bodies larger than this close the connection instead.
    static var maximumDiscardedBody: Int { 64 << 10 }

    private let limits: Limits
    private let allocator = ByteBufferAllocator()
    private var state = State.idle
    private var exchangeNumber = 0
    /// Between a client read's first part and its end (``clientReadComplete()``): backend writes made meanwhile wait
    /// for one flush at its end, so a head and body that arrived together leave in one system call.
    private var clientReading = false

    init(limits: Limits) {
        self.limits = limits
    }

    // MARK: Queries between events

    /// Whether reads from the client are open.
    var readsClient: Bool {
        guard case .active(let exchange) = self.state else { return true }
        return exchange.readsClient
    }

    /// The backend connection in use, and whether its reads are open (not while the client cannot take more).
    var attachedUpstream: (Upstream, reads: Bool)? {
        guard case .active(let exchange) = self.state, let upstream = exchange.upstream else { return nil }
        return (upstream, exchange.clientWritable)
    }

    /// The request id of the exchange in progress.
    var requestID: String? {
        guard case .active(let exchange) = self.state else { return nil }
        return exchange.requestID
    }

    /// When ``timerFired(now:)`` is due next.
    var nextDeadline: NIODeadline? {
        switch self.state {
        case .active(let exchange): exchange.deadlines.earliest
        case .discarding(_, let deadline): deadline
        case .idle, .closed: nil
        }
    }

    // MARK: Client events

    /// A planned request head: the exchange starts by getting a backend connection.
    mutating func requestStarted(_ start: Start, now: NIODeadline) -> Action {
        guard case .idle = self.state else { return self.closeForProtocolError() }
        self.clientReading = true
        self.exchangeNumber &+= 1
        self.state = .active(Exchange(number: self.exchangeNumber, start: start, now: now))
        return .acquireUpstream(number: self.exchangeNumber, fresh: false, sendContinue: start.expectsContinue)
    }

    /// A request head the planner refused: the problem is the answer, and the body that may follow is dropped.
    /// - Parameter route: the name of the route the request matched, `passthrough` when none, `-` when it could not
    ///   be routed.
    mutating func requestRefused(
        _ problem: Problem,
        head: HTTPRequestHead,
        route: String,
        requestID: String,
        now: NIODeadline
    ) -> Action {
        guard case .idle = self.state else { return self.closeForProtocolError() }
        var problem = problem
        if head.version.major < 2, !head.isKeepAlive { problem.closesConnection = true }
        self.state = problem.closesConnection ? .closed : self.discarding(now: now)
        let record = ExchangeRecord(
            requestID: requestID,
            identity: nil,
            method: head.method,
            path: head.uri.pathWithoutQuery,
            route: route,
            status: problem.status,
            problemCode: problem.code,
            bytesIn: 0,
            bytesOut: 0,
            duration: .zero,
            protocolName: ExchangeRecord.protocolName(of: head.version),
            userAgent: head.headers.first(name: "user-agent"),
            authority: head.headers.first(name: "host")
        )
        return .respond(problem, version: head.version, requestID: requestID, abort: nil, record: record)
    }

    /// A part of the request body, or its end (`bytes` 0), during a client read.
    mutating func requestPartReceived(_ part: HTTPClientRequestPart, bytes: Int, now: NIODeadline) -> Action {
        self.clientReading = true
        switch self.state {
        case .discarding(let remaining, let deadline):
            if case .end = part {
                self.state = .idle
            } else if remaining < bytes {
                self.state = .closed
                return .close(abort: nil, record: nil)
            } else {
                self.state = .discarding(remaining: remaining - bytes, deadline: deadline)
            }
            return .none
        case .active(let exchange):
            // Nothing follows a request's end (a pipelined request waits for this one's response).
            guard !exchange.requestEnded else { return .none }
            exchange.bytesIn += bytes
            if exchange.bytesIn > self.limits.maxBody {
                return self.fail(exchange, with: .payloadTooLarge(limit: self.limits.maxBody), now: now)
            }
            if case .end = part { exchange.requestEnded = true }
            do {
                try self.queue(part, in: exchange)
            } catch {
                return self.fail(exchange, with: error, now: now)
            }
            self.refreshBodyDeadline(exchange, now: now)
            return self.forward(exchange, now: now)
        case .idle, .closed:
            return .none
        }
    }

    /// The client's read ended: what was written to the backend during it leaves in one flush.
    mutating func clientReadComplete() -> Action {
        self.clientReading = false
        guard case .active(let exchange) = self.state, exchange.unflushed, let upstream = exchange.upstream else { return .none }
        exchange.unflushed = false
        return .flushUpstream(upstream)
    }

    /// The client's connection can take more response bytes, or cannot.
    mutating func clientWritabilityChanged(isWritable: Bool, now: NIODeadline) -> Action {
        guard case .active(let exchange) = self.state else { return .none }
        exchange.clientWritable = isWritable
        exchange.deadlines.write = isWritable ? nil : now + self.limits.writeTimeout
        if exchange.status != nil { exchange.deadlines.read = isWritable ? now + self.limits.readTimeout : nil }
        return .none
    }

    /// The client's HTTP/1.1 message could not be parsed. `problem` answers it when no exchange is in progress.
    mutating func parserError(_ problem: Problem, requestID: String, now: NIODeadline) -> Action {
        let state = self.state
        self.state = .closed
        if case .closed = state { return .none }
        guard case .active(let exchange) = state else {
            var problem = problem
            problem.closesConnection = true
            let record = ExchangeRecord(
                requestID: requestID,
                identity: nil,
                method: nil,
                path: nil,
                route: "-",
                status: problem.status,
                problemCode: problem.code,
                bytesIn: 0,
                bytesOut: 0,
                duration: .zero,
                protocolName: "HTTP/1.1"
            )
            return .respond(problem, version: .http1_1, requestID: requestID, abort: nil, record: record)
        }
        return self.fail(exchange, with: .badRequest("invalid_framing", "malformed HTTP/1.1 message", close: true), now: now)
    }

    /// The client's connection closed: an exchange in progress is abandoned.
    mutating func clientClosed(now: NIODeadline) -> Action {
        let state = self.state
        self.state = .closed
        guard case .active(let exchange) = state else { return .none }
        return .close(abort: exchange.upstream, record: exchange.record(status: exchange.status, now: now))
    }

    // MARK: Backend events

    /// The pool answered the request for a connection of exchange `number`.
    mutating func upstreamAcquired(_ result: Result<(Upstream, reused: Bool), any Error>, number: Int, now: NIODeadline) -> Action {
        guard case .active(let exchange) = self.state, exchange.number == number, case .acquiring = exchange.link else {
            if case .success(let (upstream, _)) = result { return .releaseUpstream(upstream) }
            return .none
        }
        switch result {
        case .success(let (upstream, reused)):
            exchange.link = .attached(upstream, reused: reused)
            exchange.upstreamWritable = true
            self.refreshBodyDeadline(exchange, now: now)
            return self.forward(exchange, now: now)
        case .failure:
            return self.respond(.upstreamUnavailable, to: exchange, abort: nil, now: now)
        }
    }

    /// The backend connection can take more request bytes, or cannot.
    mutating func upstreamWritabilityChanged(isWritable: Bool, now: NIODeadline) -> Action {
        guard case .active(let exchange) = self.state, exchange.upstream != nil else { return .none }
        exchange.upstreamWritable = isWritable
        self.refreshBodyDeadline(exchange, now: now)
        return .none
    }

    /// The backend's response head.
    mutating func responseHeadReceived(_ head: HTTPResponseHead, now: NIODeadline) -> Action {
        guard case .active(let exchange) = self.state, exchange.upstream != nil, exchange.status == nil else { return .none }
        exchange.deadlines.response = nil
        exchange.deadlines.read = exchange.clientWritable ? now + self.limits.readTimeout : nil
        exchange.status = head.status
        exchange.upstreamKeepAlive = head.isKeepAlive
        var downstream = RequestPlanner.downstreamHead(
            head,
            version: exchange.version,
            requestID: exchange.requestID,
            keepAlive: exchange.keepAlive
        )
        if let decryption = exchange.responseDecryption, exchange.method != .HEAD, head.status != .noContent,
            head.status != .notModified, head.headers["content-type"].count == 1,
            JSONMediaType.accepts(head.headers["content-type"][0]), JSONMediaType.isIdentityCoded(head.headers)
        {
            exchange.responseRewriter = try? BodyRewriter(
                rules: decryption.rules, keys: decryption.keys, mode: .decrypt, identityURIs: decryption.identityURIs)
            if exchange.responseRewriter != nil { downstream.headers.remove(name: "content-length") }
        }
        return .writeResponseHead(downstream)
    }

    /// A part of the backend's response body.
    mutating func responseBodyReceived(_ buffer: ByteBuffer, now: NIODeadline) -> Action {
        guard case .active(let exchange) = self.state, exchange.status != nil else { return .none }
        exchange.bytesOut += buffer.readableBytes
        if exchange.clientWritable { exchange.deadlines.read = now + self.limits.readTimeout }
        var output = buffer
        if exchange.responseRewriter != nil {
            do {
                output = try exchange.responseRewriter!.rewrite(buffer, allocator: self.allocator)
            } catch {
                return self.fail(exchange, with: error, now: now)
            }
        }
        return output.readableBytes > 0 ? .writeResponseBody(output) : .none
    }

    /// The end of the backend's response: the exchange is complete.
    mutating func responseEndReceived(_ trailers: HTTPHeaders?, now: NIODeadline) -> Action {
        guard case .active(let exchange) = self.state, exchange.status != nil else { return .none }
        var rest: ByteBuffer?
        if exchange.responseRewriter != nil {
            do {
                rest = try exchange.responseRewriter!.finish(allocator: self.allocator)
            } catch {
                return self.fail(exchange, with: error, now: now)
            }
            exchange.fieldsDecrypted = exchange.responseRewriter!.fieldsRewritten
            exchange.undecryptableTokens = exchange.responseRewriter!.undecryptableTokens
        }
        let disposal: Disposal =
            switch exchange.link {
            case .attached(let upstream, _): exchange.requestEnded && exchange.upstreamKeepAlive ? .release(upstream) : .abort(upstream)
            case .acquiring: .none
            }
        let close = !exchange.keepAlive || (!exchange.requestEnded && exchange.version.major == 2)
        self.state = close ? .closed : exchange.requestEnded ? .idle : self.discarding(now: now)
        return .finishResponse(
            rest: rest.flatMap { $0.readableBytes > 0 ? $0 : nil },
            trailers: trailers,
            close: close,
            upstream: disposal,
            record: exchange.record(status: exchange.status, now: now)
        )
    }

    /// The backend connection closed or failed before the response ended.
    mutating func upstreamClosed(now: NIODeadline) -> Action {
        guard case .active(let exchange) = self.state, exchange.upstream != nil else { return .none }
        if exchange.status != nil {
            // The response was cut short: so is the client's copy.
            self.state = .closed
            return .close(abort: nil, record: exchange.record(status: exchange.status, now: now))
        }
        if exchange.reused, exchange.sentHead == nil {
            // A kept-alive connection the backend closed while the request was still held: nothing reached the
            // backend, so the request goes on a fresh connection, once.
            exchange.link = .acquiring
            self.refreshBodyDeadline(exchange, now: now)
            return .acquireUpstream(number: exchange.number, fresh: true, sendContinue: false)
        }
        if exchange.reused, exchange.replayable, exchange.requestEnded, let head = exchange.sentHead,
            Self.idempotentMethods.contains(head.method)
        {
            // A kept-alive connection the backend had closed: replay the bodiless, idempotent request once.
            exchange.link = .acquiring
            exchange.deadlines.response = nil
            exchange.upstreamHead = head
            exchange.framing = .decided
            exchange.pending = [.end(nil)]
            return .acquireUpstream(number: exchange.number, fresh: true, sendContinue: false)
        }
        return self.respond(.upstreamFailed, to: exchange, abort: nil, now: now)
    }

    // MARK: Time

    /// The timer for ``nextDeadline`` fired.
    mutating func timerFired(now: NIODeadline) -> Action {
        switch self.state {
        case .discarding(_, let deadline) where deadline <= now:
            self.state = .closed
            return .close(abort: nil, record: nil)
        case .active(let exchange):
            let deadlines = exchange.deadlines
            if let body = deadlines.body, body <= now {
                return self.fail(exchange, with: .bodyTimeout, now: now)
            }
            if let response = deadlines.response, response <= now {
                return self.respond(.upstreamTimeout, to: exchange, abort: exchange.upstream, now: now)
            }
            if let read = deadlines.read, read <= now {
                return self.fail(exchange, with: .upstreamReadTimeout, now: now)
            }
            if let write = deadlines.write, write <= now {
                return self.fail(exchange, with: .clientWriteTimeout, now: now)
            }
            return .none
        case .idle, .discarding, .closed:
            return .none
        }
    }

    // MARK: Helpers

    private func discarding(now: NIODeadline) -> State {
        .discarding(remaining: Self.maximumDiscardedBody, deadline: now + self.limits.bodyTimeout)
    }

    private mutating func closeForProtocolError() -> Action {
        let state = self.state
        self.state = .closed
        guard case .active(let exchange) = state else { return .close(abort: nil, record: nil) }
        return .close(abort: exchange.upstream, record: nil)
    }

    /// The body timer runs while the request body streams and the client's reads are open; held reads stop it.
    private func refreshBodyDeadline(_ exchange: Exchange, now: NIODeadline) {
        exchange.deadlines.body = !exchange.requestEnded && exchange.readsClient ? now + self.limits.bodyTimeout : nil
    }

    /// Queues a request part for the backend, through the route's encrypt rules if it has any.
    private func queue(_ part: HTTPClientRequestPart, in exchange: Exchange) throws(Problem) {
        switch part {
        case .body(.byteBuffer(let buffer)):
            if buffer.readableBytes > 0, let refusal = exchange.refusalIfBodyArrives { throw refusal }
            guard exchange.requestRewriter != nil else { break }
            exchange.queueRewritten(try exchange.requestRewriter!.rewrite(buffer, allocator: self.allocator))
            return
        case .end:
            guard exchange.requestRewriter != nil else { break }
            exchange.queueRewritten(try exchange.requestRewriter!.finish(allocator: self.allocator))
            exchange.fieldsEncrypted = exchange.requestRewriter!.fieldsRewritten
        default:
            break
        }
        exchange.pending.append(part)
    }

    /// Writes the head (once, with its framing) and every pending part to the backend, once connected; a rewritten
    /// body is held until it ends or outgrows its limit. Flushes at the request's end or outside a client read.
    private mutating func forward(_ exchange: Exchange, now: NIODeadline) -> Action {
        guard let upstream = exchange.upstream else { return .none }
        var heldLength: Int?
        if let held = exchange.heldBody, case .rewritten(let holdLimit, _) = exchange.framing {
            if exchange.requestEnded, !exchange.endsWithTrailers {
                heldLength = held.readableBytes
            } else if !exchange.requestEnded, held.readableBytes <= holdLimit {
                return .none
            }
            exchange.heldBody = nil
            if held.readableBytes > 0 { exchange.pending.insert(.body(.byteBuffer(held)), at: 0) }
        }
        var head: HTTPRequestHead?
        if var upstreamHead = exchange.upstreamHead {
            if exchange.framing == .chunkedUnlessEmpty, exchange.pending.isEmpty { return .none }
            UpstreamFraming.fields(of: exchange.framing, first: exchange.pending.first, heldLength: heldLength)
                .apply(to: &upstreamHead.headers)
            exchange.upstreamHead = nil
            exchange.sentHead = upstreamHead
            if exchange.upstreamStart == nil { exchange.upstreamStart = now }
            head = upstreamHead
        }
        guard head != nil || !exchange.pending.isEmpty else { return .none }
        let parts = exchange.pending
        exchange.pending = []
        for part in parts {
            if case .body = part { exchange.replayable = false }
            if case .end = part { exchange.deadlines.response = now + self.limits.responseTimeout }
        }
        let flush = exchange.requestEnded || !self.clientReading
        exchange.unflushed = !flush
        return .writeUpstream(upstream, head: head, parts: parts, flush: flush)
    }

    /// Gives up on an exchange: the backend's request is aborted (it never sees a complete one) and the client gets
    /// the problem, or a cut connection if its response had started.
    private mutating func fail(_ exchange: Exchange, with problem: Problem, now: NIODeadline) -> Action {
        guard exchange.status != nil else { return self.respond(problem, to: exchange, abort: exchange.upstream, now: now) }
        self.state = .closed
        return .close(abort: exchange.upstream, record: exchange.record(status: exchange.status, problem: problem, now: now))
    }

    /// Answers an exchange that got no backend response with a problem.
    private mutating func respond(_ problem: Problem, to exchange: Exchange, abort: Upstream?, now: NIODeadline) -> Action {
        var problem = problem
        if !exchange.keepAlive || !exchange.requestEnded { problem.closesConnection = true }
        self.state = problem.closesConnection ? .closed : .idle
        return .respond(
            problem,
            version: exchange.version,
            requestID: exchange.requestID,
            abort: abort,
            record: exchange.record(status: problem.status, problem: problem, now: now)
        )
    }
}
