import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SealgateCertificates

/// Proxies the requests of one HTTP/1.1 connection or one HTTP/2 stream to the backend.
///
/// A thin handler over ``ExchangeStateMachine``: each request is planned (``RequestPlanner``), then every channel
/// and backend event goes to the machine and the handler performs the action it returns. Reads are held on
/// whichever side is ahead, so memory stays bounded by a few chunks whatever the body size.
final class ProxyRequestHandler: ChannelDuplexHandler, UpstreamDelegate {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let shared: ProxyShared
    private let client: ClientConnection
    private let timeouts: ConnectionTimeoutHandler?
    private var context: ChannelHandlerContext?
    private var machine: ExchangeStateMachine<UpstreamHandler>
    private var reads = ReadGate()
    private var timer = DeadlineTimer()
    /// The peer trust the connection's certificate was last found good with (at first, its handshake's).
    private var checkedTrust: PeerTrust?

    init(shared: ProxyShared, client: ClientConnection, timeouts: ConnectionTimeoutHandler?) {
        self.shared = shared
        self.client = client
        self.checkedTrust = client.handshakeTrust
        self.timeouts = timeouts
        self.machine = ExchangeStateMachine(limits: shared.exchangeLimits)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Normally done at channelInactive; the backend connection holds this handler as its delegate until then.
        self.perform(self.machine.clientClosed(now: .now()))
        self.timer.clear(cancelTask: true)
        self.context = nil
    }

    // MARK: Client side

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = NIODeadline.now()
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.timeouts?.headReceived()
            self.perform(self.start(head, now: now))
        case .body(let buffer):
            self.perform(self.machine.requestPartReceived(.body(.byteBuffer(buffer)), bytes: buffer.readableBytes, now: now))
        case .end(let trailers):
            let part = HTTPClientRequestPart.end(self.shared.planner.upstreamTrailers(trailers))
            self.perform(self.machine.requestPartReceived(part, bytes: 0, now: now))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.perform(self.machine.clientReadComplete())
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        self.perform(self.machine.clientWritabilityChanged(isWritable: context.channel.isWritable, now: .now()))
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.perform(self.machine.clientClosed(now: .now()))
        self.timer.clear(cancelTask: true)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.close(promise: nil)
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
        self.perform(self.machine.parserError(problem, requestID: RequestID.generate(), now: .now()))
    }

    func read(context: ChannelHandlerContext) {
        if self.reads.shouldRead() { context.read() }
    }

    /// Plans a request head and starts its exchange, or refuses it.
    private func start(_ head: HTTPRequestHead, now: NIODeadline) -> ExchangeStateMachine<UpstreamHandler>.Action {
        let requestID = RequestID.from(head.headers) ?? RequestID.generate()
        do {
            try self.client.checkValidity(at: Date())
            try self.client.checkTrust(self.shared.serverTLS?.trust, checked: &self.checkedTrust)
            let plan = try self.shared.planner.plan(head, client: self.client, requestID: requestID)
            return self.machine.requestStarted(try self.start(of: plan, head: head, requestID: requestID), now: now)
        } catch {
            let route = self.shared.planner.routeName(of: head)
            return self.machine.requestRefused(error, head: head, route: route, requestID: requestID, now: now)
        }
    }

    private func start(
        of plan: RequestPlanner.Plan,
        head: HTTPRequestHead,
        requestID: String
    ) throws(Problem) -> ExchangeStateMachine<UpstreamHandler>.Start {
        var upstreamHead = plan.upstreamHead
        let expectsContinue = upstreamHead.headers["expect"].contains { $0.lowercased() == "100-continue" }
        if expectsContinue { upstreamHead.headers.remove(name: "expect") }
        var start = ExchangeStateMachine<UpstreamHandler>.Start(
            requestID: requestID,
            method: head.method,
            path: head.uri.pathWithoutQuery,
            routeName: plan.route?.name ?? "passthrough",
            version: head.version,
            keepAlive: plan.keepAlive,
            // Only the access log reads them: no header scans per request when it is off.
            userAgent: self.shared.accessLog ? head.headers.first(name: "user-agent") : nil,
            authority: self.shared.accessLog ? head.headers.first(name: "host") : nil,
            upstreamHead: upstreamHead,
            framing: plan.upstreamFraming,
            expectsContinue: expectsContinue,
            refusalIfBodyArrives: plan.refusalIfBodyArrives
        )
        if let route = plan.route {
            let keys = self.shared.keyRing.current
            let uris = self.client.identity?.uris ?? []
            if plan.encryptsBody {
                start.requestRewriter = try BodyRewriter(rules: route.fieldRules, keys: keys, mode: .encrypt, identityURIs: uris)
            }
            if plan.decryptsResponse { start.responseDecryption = (route.fieldRules, keys, uris) }
        }
        return start
    }

    // MARK: Backend side

    func upstreamReceived(_ part: HTTPClientResponsePart) {
        let now = NIODeadline.now()
        switch part {
        case .head(let head): self.perform(self.machine.responseHeadReceived(head, now: now))
        case .body(let buffer): self.perform(self.machine.responseBodyReceived(buffer, now: now))
        case .end(let trailers): self.perform(self.machine.responseEndReceived(trailers, now: now))
        }
    }

    func upstreamReadComplete() {
        self.context?.flush()
    }

    func upstreamWritabilityChanged(isWritable: Bool) {
        self.perform(self.machine.upstreamWritabilityChanged(isWritable: isWritable, now: .now()))
    }

    func upstreamClosed() {
        self.perform(self.machine.upstreamClosed(now: .now()))
    }

    private func acquireUpstream(number: Int, fresh: Bool, eventLoop: any EventLoop) {
        let pool = self.shared.pools.pool(for: eventLoop)
        let attach: (Result<(UpstreamHandler, reused: Bool), any Error>) -> Void = { result in
            if case .failure(let error) = result, let requestID = self.machine.requestID {
                self.shared.logger.warning("backend unreachable", metadata: ["request_id": "\(requestID)", "error": "\(error)"])
            }
            if case .success(let (upstream, _)) = result { upstream.delegate = self }
            self.perform(self.machine.upstreamAcquired(result, number: number, now: .now()))
        }
        if fresh {
            pool.connect { attach($0.map { ($0, false) }) }
        } else {
            pool.acquire(attach)
        }
    }

    // MARK: Actions

    private func perform(_ action: ExchangeStateMachine<UpstreamHandler>.Action) {
        switch action {
        case .none:
            break
        case .acquireUpstream(let number, let fresh, let sendContinue):
            guard let context = self.context else { break }
            if sendContinue {
                let head = HTTPResponseHead(version: .http1_1, status: .continue)
                context.writeAndFlush(self.wrapOutboundOut(.head(head)), promise: nil)
            }
            self.acquireUpstream(number: number, fresh: fresh, eventLoop: context.eventLoop)
        case .writeUpstream(let upstream, let head, let parts, let flush):
            if let head { upstream.write(.head(head)) }
            for part in parts { upstream.write(part) }
            if flush { upstream.flush() }
        case .flushUpstream(let upstream):
            upstream.flush()
        case .releaseUpstream(let upstream):
            upstream.release()
        case .writeResponseHead(let head):
            self.context?.write(self.wrapOutboundOut(.head(head)), promise: nil)
        case .writeResponseBody(let buffer):
            self.context?.write(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        case .finishResponse(let rest, let trailers, let close, let upstream, let record):
            switch upstream {
            case .none: break
            case .release(let upstream): upstream.release()
            case .abort(let upstream): upstream.abort()
            }
            self.record(record)
            guard let context = self.context else { break }
            if let rest { context.write(self.wrapOutboundOut(.body(.byteBuffer(rest))), promise: nil) }
            self.timeouts?.responseFinished()
            self.writeEnd(trailers, close: close, context: context)
        case .respond(let problem, let version, let requestID, let abort, var record):
            abort?.abort()
            guard let context = self.context else {
                self.record(record)
                break
            }
            let body = problem.body(allocator: context.channel.allocator)
            record.bytesOut += body.readableBytes
            self.record(record)
            let head = problem.head(version: version, requestID: requestID, contentLength: body.readableBytes)
            context.write(self.wrapOutboundOut(.head(head)), promise: nil)
            context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            self.timeouts?.responseFinished()
            self.writeEnd(nil, close: problem.closesConnection, context: context, everyStream: problem.closesEveryStream)
        case .close(let abort, let record):
            abort?.abort()
            if let record { self.record(record) }
            self.context?.close(promise: nil)
        }
        self.synchronize()
    }

    /// Ends the response; with `close`, then closes the connection (HTTP/1.1) or the stream (HTTP/2), and with
    /// `everyStream` also the HTTP/2 connection the stream belongs to.
    private func writeEnd(_ trailers: HTTPHeaders?, close: Bool, context: ChannelHandlerContext, everyStream: Bool = false) {
        guard close else {
            context.writeAndFlush(self.wrapOutboundOut(.end(trailers)), promise: nil)
            return
        }
        // Taken now: a closed HTTP/2 stream channel no longer names its parent.
        let connection = everyStream ? context.channel.parent : nil
        context.writeAndFlush(self.wrapOutboundOut(.end(trailers))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
            connection?.close(promise: nil)
        }
    }

    /// Brings reads on both sides and the timer in line with the machine after an event.
    private func synchronize() {
        if self.reads.set(open: self.machine.readsClient) { self.context?.read() }
        if let (upstream, reads) = self.machine.attachedUpstream { upstream.setReads(open: reads) }
        guard let context = self.context else { return }
        if let deadline = self.machine.nextDeadline {
            self.timer.set(deadline, eventLoop: context.eventLoop) { self.timerFired() }
        } else {
            self.timer.clear()
        }
    }

    private func timerFired() {
        guard let context = self.context else { return }
        let now = context.eventLoop.now
        guard self.timer.expired(now: now, eventLoop: context.eventLoop, expire: { self.timerFired() }) else { return }
        self.perform(self.machine.timerFired(now: now))
    }

    private func record(_ record: ExchangeRecord) {
        var record = record
        record.identity = self.client.identity
        record.clientAddress = self.client.remoteAddress
        self.shared.recordExchange(record)
    }
}

@available(*, unavailable)
extension ProxyRequestHandler: Sendable {}

extension String {
    /// The request target without its query, which may hold secrets and is never logged.
    var pathWithoutQuery: Substring {
        self.firstIndex(of: "?").map { self[..<$0] } ?? self[...]
    }
}
