import Logging
import NIOCore
import NIOHTTP1

/// Proxies the requests of one HTTP/1.1 connection or one HTTP/2 stream to the backend.
///
/// Each request is planned (``RequestPlanner``), then streamed to a pooled backend connection
/// of the same event loop, and the response streamed back. Reads are held on whichever side
/// is ahead, so memory stays bounded by a few chunks whatever the body size; a rewritten request
/// body is held whole only up to ``maximumHeldBody`` (or `max_body` with `buffer: true`).
final class ProxyRequestHandler: ChannelDuplexHandler, UpstreamDelegate {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let shared: ProxyShared
    private let client: ClientConnection
    private let timeouts: ConnectionTimeoutHandler?
    private var context: ChannelHandlerContext?
    private var exchange: Exchange?
    private var exchangeNumber = 0
    /// Bytes of a refused or already answered request body still accepted before closing.
    private var discardBudget: Int?
    private var readsHeld = false
    private var readPending = false
    /// While a client read is handled, backend writes wait for one flush at its end (or at the request's end):
    /// one write system call for a head and body that arrived together, instead of one per part.
    private var handlingClientRead = false
    private var unflushedUpstream: UpstreamHandler?
    /// The backend's deadline to answer the current request.
    private var responseTimer = DeadlineTimer()

    /// Methods that may be retried automatically (RFC 9110 §9.2.2).
    private static let idempotentMethods: [HTTPMethod] = [.GET, .HEAD, .OPTIONS, .PUT, .DELETE]

    /// Discarded request bodies larger than this close the connection instead.
    private static let maximumDiscardedBody = 64 << 10

    /// A rewritten request body that ends within this many bytes goes upstream in one piece with a Content-Length;
    /// a longer one streams chunked (unless the route says `buffer: true`).
    static let maximumHeldBody = 64 << 10

    init(shared: ProxyShared, client: ClientConnection, timeouts: ConnectionTimeoutHandler?) {
        self.shared = shared
        self.client = client
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.responseTimer.clear(cancelTask: true)
        // Normally done at channelInactive; the backend connection holds this handler as its delegate until then.
        self.exchange?.upstream?.abort()
        self.exchange = nil
        self.context = nil
    }

    // MARK: Client side

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.handlingClientRead = true
        defer { self.handlingClientRead = false }
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.receivedHead(head, context: context)
        case .body(let buffer):
            self.receivedBodyPart(.body(.byteBuffer(buffer)), bytes: buffer.readableBytes, context: context)
        case .end(let trailers):
            self.receivedBodyPart(.end(self.shared.planner.upstreamTrailers(trailers)), bytes: 0, context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.flushUpstream()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { self.exchange?.upstream?.resumeReads() }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.responseTimer.clear(cancelTask: true)
        if let exchange = self.exchange {
            self.exchange = nil
            exchange.upstream?.abort()
            self.record(exchange, status: nil)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.close(promise: nil)
            return
        }
        if let exchange = self.exchange {
            self.exchange = nil
            self.responseTimer.clear()
            exchange.upstream?.abort()
            if exchange.status == nil {
                self.send(.badRequest("invalid_framing", "malformed HTTP/1.1 message", close: true), for: exchange)
            } else {
                context.close(promise: nil)
            }
            return
        }
        let problem: Problem =
            switch parserError {
            case .headerOverflow:
                .headerTooLarge
            case .invalidMethod:
                self.shared.planner.refusal(forUnparsableMethodIn: self.timeouts?.requestLine ?? [], client: self.client)
            default:
                .badRequest("invalid_framing", "malformed HTTP/1.1 message", close: true)
            }
        let requestID = RequestID.generate()
        self.write(problem, version: .http1_1, requestID: requestID, keepAlive: false, context: context)
        self.shared.recordRefusal(problem, requestID: requestID, client: self.client, method: nil, path: nil)
    }

    func read(context: ChannelHandlerContext) {
        if self.readsHeld {
            self.readPending = true
        } else {
            context.read()
        }
    }

    private func holdReads() {
        self.readsHeld = true
    }

    private func resumeReads() {
        guard self.readsHeld else { return }
        self.readsHeld = false
        if self.readPending {
            self.readPending = false
            self.context?.read()
        }
    }

    private func receivedHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        self.timeouts?.headReceived()
        self.discardBudget = nil
        let requestID = RequestID.from(head.headers) ?? RequestID.generate()
        let start = NIODeadline.now()
        let plan: RequestPlanner.Plan
        var requestRewriter: BodyRewriter?
        do {
            plan = try self.shared.planner.plan(head, client: self.client, requestID: requestID)
            if plan.encryptsBody, let route = plan.route {
                requestRewriter = try BodyRewriter(rules: route.fieldRules, keys: self.shared.keyRing.current, mode: .encrypt)
            }
        } catch {
            self.discardBudget = Self.maximumDiscardedBody
            let keepAlive = head.version.major == 2 || head.isKeepAlive
            self.write(error, version: head.version, requestID: requestID, keepAlive: keepAlive, context: context)
            self.shared.recordRefusal(
                error,
                requestID: requestID,
                client: self.client,
                method: head.method,
                path: head.uri.pathWithoutQuery,
                duration: .now() - start
            )
            return
        }
        self.exchangeNumber &+= 1
        var upstreamHead = plan.upstreamHead
        let expectsContinue = upstreamHead.headers["expect"].contains { $0.lowercased() == "100-continue" }
        if expectsContinue { upstreamHead.headers.remove(name: "expect") }
        self.exchange = Exchange(
            number: self.exchangeNumber,
            requestID: requestID,
            start: start,
            method: head.method,
            path: head.uri.pathWithoutQuery,
            routeName: plan.route?.name ?? "passthrough",
            version: head.version,
            keepAlive: plan.keepAlive,
            upstreamHead: upstreamHead,
            decideFramingOnFirstPart: head.version.major == 2 && plan.framing == .streamed
        )
        self.exchange?.requestRewriter = requestRewriter
        if requestRewriter != nil {
            self.exchange?.heldBody = ByteBuffer()
            self.exchange?.bodyHoldLimit = plan.route?.bufferBody == true ? .max : Self.maximumHeldBody
        }
        self.exchange?.refusalIfBodyArrives = plan.refusalIfBodyArrives
        if plan.decryptsResponse { self.exchange?.responseRules = plan.route?.fieldRules ?? FieldRules([]) }
        if expectsContinue {
            context.writeAndFlush(
                self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))),
                promise: nil
            )
        }
        self.connectUpstream(fresh: false, context: context)
    }

    private func receivedBodyPart(_ part: HTTPClientRequestPart, bytes: Int, context: ChannelHandlerContext) {
        if let budget = self.discardBudget {
            if case .end = part {
                self.discardBudget = nil
            } else if budget < bytes {
                context.close(promise: nil)
            } else {
                self.discardBudget = budget - bytes
            }
            return
        }
        guard let exchange = self.exchange else { return }
        exchange.bytesIn += bytes
        if exchange.bytesIn > self.shared.maxBody {
            self.fail(exchange, with: .payloadTooLarge(limit: self.shared.maxBody), context: context)
            return
        }
        if case .end = part { exchange.requestEnded = true }
        do {
            try self.rewrite(part, of: exchange, allocator: context.channel.allocator)
        } catch {
            self.fail(exchange, with: error, context: context)
            return
        }
        self.flushPending()
    }

    /// Queues a request part for the backend, through the route's encrypt rules if it has any.
    private func rewrite(_ part: HTTPClientRequestPart, of exchange: Exchange, allocator: ByteBufferAllocator) throws(Problem) {
        // The rewriter is mutated in place: a copy would duplicate its buffers on every chunk.
        switch part {
        case .body(.byteBuffer(let buffer)):
            if buffer.readableBytes > 0, let refusal = exchange.refusalIfBodyArrives { throw refusal }
            guard exchange.requestRewriter != nil else { break }
            exchange.queueRewritten(try exchange.requestRewriter!.rewrite(buffer, allocator: allocator))
            return
        case .end:
            guard exchange.requestRewriter != nil else { break }
            exchange.queueRewritten(try exchange.requestRewriter!.finish(allocator: allocator))
            exchange.fieldsEncrypted = exchange.requestRewriter!.fieldsRewritten
        default:
            break
        }
        exchange.pending.append(part)
    }

    /// Gives up on an exchange: the backend's request is aborted (it never sees a complete one)
    /// and the client gets the problem, or a cut connection if its response had started.
    private func fail(_ exchange: Exchange, with problem: Problem, context: ChannelHandlerContext) {
        self.exchange = nil
        self.responseTimer.clear()
        exchange.upstream?.abort()
        if exchange.status == nil {
            self.send(problem, for: exchange)
        } else {
            self.record(exchange, status: exchange.status, problem: problem)
            context.close(promise: nil)
        }
    }

    // MARK: Backend side

    private func connectUpstream(fresh: Bool, context: ChannelHandlerContext) {
        let number = self.exchangeNumber
        let pool = self.shared.pools.pool(for: context.eventLoop)
        self.holdReads()
        let attach: (Result<(UpstreamHandler, reused: Bool), any Error>) -> Void = { result in
            guard let exchange = self.exchange, exchange.number == number else {
                if case .success(let (upstream, _)) = result { pool.release(upstream) }
                return
            }
            switch result {
            case .success(let (upstream, reused)):
                upstream.delegate = self
                exchange.upstream = upstream
                exchange.reused = reused
                self.resumeReads()
                self.flushPending()
            case .failure(let error):
                self.exchange = nil
                self.shared.logger.warning(
                    "backend unreachable",
                    metadata: ["request_id": "\(exchange.requestID)", "error": "\(error)"]
                )
                self.send(.upstreamUnavailable, for: exchange)
            }
        }
        if fresh {
            pool.connect { attach($0.map { ($0, false) }) }
        } else {
            pool.acquire(attach)
        }
    }

    /// Writes the request head (once) and every pending part to the backend.
    private func flushPending() {
        guard let exchange = self.exchange, let upstream = exchange.upstream, let context = self.context else { return }
        if let held = exchange.heldBody {
            // A rewritten body is held until its end and then sent with its length, unless it outgrows the limit or
            // ends with trailers (which only chunked framing carries): then it streams chunked, as planned.
            if exchange.requestEnded, !exchange.endsWithTrailers {
                exchange.upstreamHead?.headers.remove(name: "transfer-encoding")
                // An HTTP/2 request that turned out to have no body is sent without one, as it came.
                if held.readableBytes > 0 || !exchange.decideFramingOnFirstPart {
                    let length = String(held.readableBytes)
                    exchange.upstreamHead?.headers.replaceOrAdd(name: "content-length", value: length)
                }
                exchange.decideFramingOnFirstPart = false
            } else if !exchange.requestEnded, held.readableBytes <= exchange.bodyHoldLimit {
                return
            }
            exchange.heldBody = nil
            if held.readableBytes > 0 { exchange.pending.insert(.body(.byteBuffer(held)), at: 0) }
        }
        if var head = exchange.upstreamHead {
            if exchange.decideFramingOnFirstPart {
                guard let first = exchange.pending.first else { return }
                if case .end = first { head.headers.remove(name: "transfer-encoding") }
            }
            upstream.write(.head(head))
            exchange.sentHead = head
            exchange.upstreamHead = nil
        }
        for part in exchange.pending {
            switch part {
            case .body: exchange.replayable = false
            case .end: self.startResponseTimer(context: context)
            case .head: break
            }
            upstream.write(part)
        }
        exchange.pending.removeAll(keepingCapacity: true)
        self.unflushedUpstream = upstream
        if !self.handlingClientRead || exchange.requestEnded { self.flushUpstream() }
        if !upstream.isWritable { self.holdReads() }
    }

    private func flushUpstream() {
        self.unflushedUpstream?.flush()
        self.unflushedUpstream = nil
    }

    /// Bounds the backend's time to answer once it has the whole request (`upstream.timeout`).
    private func startResponseTimer(context: ChannelHandlerContext) {
        self.responseTimer.set(context.eventLoop.now + self.shared.upstreamTimeout, eventLoop: context.eventLoop) {
            self.responseTimerFired()
        }
    }

    private func responseTimerFired() {
        guard let context = self.context else { return }
        let now = context.eventLoop.now
        guard self.responseTimer.expired(now: now, eventLoop: context.eventLoop, expire: { self.responseTimerFired() }),
            let exchange = self.exchange, exchange.status == nil
        else { return }
        self.exchange = nil
        exchange.upstream?.abort()
        self.send(.upstreamTimeout, for: exchange)
    }

    func upstreamReceived(_ part: HTTPClientResponsePart) {
        guard let exchange = self.exchange, let context = self.context else { return }
        switch part {
        case .head(let head):
            self.responseTimer.clear()
            exchange.status = head.status
            exchange.upstreamKeepAlive = head.isKeepAlive
            var downstream = RequestPlanner.downstreamHead(
                head,
                version: exchange.version,
                requestID: exchange.requestID,
                keepAlive: exchange.keepAlive
            )
            if let rules = exchange.responseRules, exchange.method != .HEAD, head.status != .noContent,
                head.status != .notModified, head.headers["content-type"].count == 1,
                JSONMediaType.accepts(head.headers["content-type"][0]), JSONMediaType.isIdentityCoded(head.headers)
            {
                exchange.responseRewriter = try? BodyRewriter(rules: rules, keys: self.shared.keyRing.current, mode: .decrypt)
                if exchange.responseRewriter != nil { downstream.headers.remove(name: "content-length") }
            }
            context.write(self.wrapOutboundOut(.head(downstream)), promise: nil)
        case .body(var buffer):
            exchange.bytesOut += buffer.readableBytes
            if exchange.responseRewriter != nil {
                do {
                    buffer = try exchange.responseRewriter!.rewrite(buffer, allocator: context.channel.allocator)
                } catch {
                    self.fail(exchange, with: error, context: context)
                    return
                }
            }
            if buffer.readableBytes > 0 { context.write(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
            if !context.channel.isWritable { exchange.upstream?.holdReads() }
        case .end(let trailers):
            self.exchange = nil
            if exchange.responseRewriter != nil {
                do {
                    let rest = try exchange.responseRewriter!.finish(allocator: context.channel.allocator)
                    if rest.readableBytes > 0 { context.write(self.wrapOutboundOut(.body(.byteBuffer(rest))), promise: nil) }
                } catch {
                    self.fail(exchange, with: error, context: context)
                    return
                }
                exchange.fieldsDecrypted = exchange.responseRewriter!.fieldsRewritten
                exchange.undecryptableTokens = exchange.responseRewriter!.undecryptableTokens
            }
            self.complete(exchange, trailers: trailers, context: context)
        }
    }

    func upstreamReadComplete() {
        self.context?.flush()
    }

    func upstreamWritabilityChanged(isWritable: Bool) {
        if isWritable { self.resumeReads() }
    }

    func upstreamClosed() {
        guard let exchange = self.exchange, let context = self.context else { return }
        exchange.upstream = nil
        if exchange.status != nil {
            // The response was cut short: so is the client's copy.
            self.exchange = nil
            self.record(exchange, status: exchange.status)
            context.close(promise: nil)
        } else if exchange.reused, exchange.sentHead == nil {
            // A kept-alive connection the backend closed while the request was still held: nothing reached the
            // backend, so the request goes on a fresh connection, once.
            exchange.reused = false
            self.connectUpstream(fresh: true, context: context)
        } else if exchange.reused, exchange.replayable, exchange.requestEnded, let head = exchange.sentHead,
            Self.idempotentMethods.contains(head.method)
        {
            // A kept-alive connection the backend had closed: replay the bodiless, idempotent request once.
            self.responseTimer.clear()
            exchange.reused = false
            exchange.upstreamHead = head
            exchange.pending = [.end(nil)]
            self.connectUpstream(fresh: true, context: context)
        } else {
            self.exchange = nil
            self.responseTimer.clear()
            self.send(.upstreamFailed, for: exchange)
        }
    }

    // MARK: Finishing

    private func complete(_ exchange: Exchange, trailers: HTTPHeaders?, context: ChannelHandlerContext) {
        if let upstream = exchange.upstream {
            if exchange.requestEnded, exchange.upstreamKeepAlive {
                self.shared.pools.pool(for: context.eventLoop).release(upstream)
            } else {
                upstream.abort()
            }
        }
        self.record(exchange, status: exchange.status)
        self.timeouts?.responseFinished()
        if !exchange.requestEnded { self.discardBudget = Self.maximumDiscardedBody }
        let closes = !exchange.keepAlive || (!exchange.requestEnded && exchange.version.major == 2)
        self.resumeReads()
        if closes {
            context.writeAndFlush(self.wrapOutboundOut(.end(trailers))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        } else {
            context.writeAndFlush(self.wrapOutboundOut(.end(trailers)), promise: nil)
        }
    }

    /// Answers an exchange that got no backend response with a problem.
    private func send(_ problem: Problem, for exchange: Exchange) {
        guard let context = self.context else { return }
        if !exchange.requestEnded { self.discardBudget = Self.maximumDiscardedBody }
        self.resumeReads()
        self.write(
            problem,
            version: exchange.version,
            requestID: exchange.requestID,
            keepAlive: exchange.keepAlive && exchange.requestEnded,
            context: context
        )
        self.record(exchange, status: problem.status, problem: problem)
    }

    private func write(
        _ problem: Problem,
        version: HTTPVersion,
        requestID: String,
        keepAlive: Bool,
        context: ChannelHandlerContext
    ) {
        var problem = problem
        if !keepAlive { problem.closesConnection = true }
        let body = problem.body(allocator: context.channel.allocator)
        let head = problem.head(version: version, requestID: requestID, contentLength: body.readableBytes)
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        self.timeouts?.responseFinished()
        if problem.closesConnection {
            context.writeAndFlush(self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        } else {
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    private func record(_ exchange: Exchange, status: HTTPResponseStatus?, problem: Problem? = nil) {
        self.shared.recordExchange(
            ExchangeRecord(
                requestID: exchange.requestID,
                identity: self.client.identity,
                method: exchange.method,
                path: exchange.path,
                route: exchange.routeName,
                status: status,
                problemCode: problem?.code,
                bytesIn: exchange.bytesIn,
                bytesOut: exchange.bytesOut,
                duration: .now() - exchange.start,
                fieldsEncrypted: exchange.fieldsEncrypted,
                fieldsDecrypted: exchange.fieldsDecrypted,
                undecryptableTokens: exchange.undecryptableTokens
            )
        )
    }
}

@available(*, unavailable)
extension ProxyRequestHandler: Sendable {}

/// The state of one request while it is proxied.
private final class Exchange {
    let number: Int
    let requestID: String
    let start: NIODeadline
    let method: HTTPMethod
    let path: Substring
    let routeName: String
    let version: HTTPVersion
    let keepAlive: Bool
    /// The head not yet written to the backend.
    var upstreamHead: HTTPRequestHead?
    /// An HTTP/2 request without Content-Length is chunked upstream unless its first part is its end.
    var decideFramingOnFirstPart: Bool
    var sentHead: HTTPRequestHead?
    var pending: [HTTPClientRequestPart] = []
    var upstream: UpstreamHandler?
    var reused = false
    /// No body bytes were sent, so the request can be replayed on a fresh connection.
    var replayable = true
    var requestEnded = false
    var upstreamKeepAlive = false
    var status: HTTPResponseStatus?
    var bytesIn = 0
    var bytesOut = 0
    /// Encrypts the request body on routes with encrypt rules.
    var requestRewriter: BodyRewriter?
    /// The rewritten request body while it is held for a Content-Length: until its end, or until it outgrows
    /// ``bodyHoldLimit`` bytes.
    var heldBody: ByteBuffer?
    var bodyHoldLimit = 0
    var refusalIfBodyArrives: Problem?
    /// The rules whose tokens the client may read decrypted; nil when it may not.
    var responseRules: FieldRules?
    var responseRewriter: BodyRewriter?
    /// Fields encrypted in the request and decrypted in the response, per key name.
    var fieldsEncrypted: [String: Int] = [:]
    var fieldsDecrypted: [String: Int] = [:]
    var undecryptableTokens = 0

    /// Whether the request ended with trailers.
    var endsWithTrailers: Bool {
        guard case .end(let trailers)? = self.pending.last else { return false }
        return trailers.map { !$0.isEmpty } ?? false
    }

    /// Queues rewritten request body bytes for the backend: into the held body while there is one.
    func queueRewritten(_ output: ByteBuffer) {
        guard output.readableBytes > 0 else { return }
        if self.heldBody?.readableBytes == 0 {
            // The usual case, a body rewritten in one piece, is held without a copy.
            self.heldBody = output
        } else if self.heldBody != nil {
            self.heldBody!.writeImmutableBuffer(output)
        } else {
            self.pending.append(.body(.byteBuffer(output)))
        }
    }

    init(
        number: Int,
        requestID: String,
        start: NIODeadline,
        method: HTTPMethod,
        path: Substring,
        routeName: String,
        version: HTTPVersion,
        keepAlive: Bool,
        upstreamHead: HTTPRequestHead,
        decideFramingOnFirstPart: Bool
    ) {
        self.number = number
        self.requestID = requestID
        self.start = start
        self.method = method
        self.path = path
        self.routeName = routeName
        self.version = version
        self.keepAlive = keepAlive
        self.upstreamHead = upstreamHead
        self.decideFramingOnFirstPart = decideFramingOnFirstPart
    }
}

extension String {
    /// The request target without its query, which may hold secrets and is never logged.
    var pathWithoutQuery: Substring {
        self.firstIndex(of: "?").map { self[..<$0] } ?? self[...]
    }
}
