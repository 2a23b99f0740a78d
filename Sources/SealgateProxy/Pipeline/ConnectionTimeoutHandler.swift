import NIOCore
import NIOSSL
import NIOTLS

/// Enforces `header_timeout` and `idle_timeout` on one client connection, and keeps the raw
/// request line of the HTTP/1.1 request being received (for refusals the parser makes before any
/// head exists).
///
/// Sits right after TLS. The header timer runs from the connection's start (so it also bounds the
/// TLS handshake) and from the first byte of each later request until its head is decoded; on
/// expiry the client gets 408 and the connection closes. Between requests, and on HTTP/2
/// connections, the connection closes after `idle_timeout` without traffic.
final class ConnectionTimeoutHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = NIOAny

    private enum State {
        case awaitingHead
        case inRequest
        case idle
        case http2
    }

    private let headerTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var state = State.awaitingHead
    /// When the current state's timeout expires; none while a request is being served. Requests on a kept-alive
    /// connection schedule nothing.
    private var timer = DeadlineTimer()
    /// The last read or write of an HTTP/2 connection (HTTP/1.1 connections time out by their state alone).
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var handshakeCompleted = false
    private var context: ChannelHandlerContext?
    /// The start of the current request up to its first CRLF (bounded).
    private(set) var requestLine: [UInt8] = []
    private var requestLineComplete = false
    private static let maximumRequestLine = 8 << 10

    init(headerTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { self.startHeaderTimer() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.timer.clear(cancelTask: true)
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        self.startHeaderTimer()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timer.clear(cancelTask: true)
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { self.handshakeCompleted = true }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .http2 = self.state { self.lastActivity = context.eventLoop.now }
        if case .idle = self.state {
            self.state = .awaitingHead
            self.requestLine.removeAll(keepingCapacity: true)
            self.requestLineComplete = false
            self.startHeaderTimer()
        }
        if case .awaitingHead = self.state, !self.requestLineComplete {
            self.record(self.unwrapInboundIn(data).readableBytesView)
        }
        context.fireChannelRead(data)
    }

    private func record(_ bytes: ByteBufferView) {
        let end = bytes.firstIndex(of: UInt8(ascii: "\r")) ?? bytes.firstIndex(of: UInt8(ascii: "\n"))
        let room = Self.maximumRequestLine - self.requestLine.count
        self.requestLine += bytes[..<(end ?? bytes.endIndex)].prefix(room)
        self.requestLineComplete = end != nil || self.requestLine.count >= Self.maximumRequestLine
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .http2 = self.state { self.lastActivity = context.eventLoop.now }
        context.write(data, promise: promise)
    }

    /// An HTTP/1.1 request head was decoded.
    func headReceived() {
        self.state = .inRequest
        self.timer.clear()
    }

    /// An HTTP/1.1 response was completely written.
    func responseFinished() {
        guard case .inRequest = self.state else { return }
        self.state = .idle
        self.arm(after: self.idleTimeout)
    }

    /// The connection speaks HTTP/2: only the idle timeout applies, measured on any traffic.
    func switchToHTTP2() {
        self.state = .http2
        self.lastActivity = self.context?.eventLoop.now ?? self.lastActivity
        self.arm(after: self.idleTimeout)
    }

    private func startHeaderTimer() {
        self.arm(after: self.headerTimeout)
    }

    private func arm(after delay: TimeAmount) {
        guard let context = self.context else { return }
        self.timer.set(context.eventLoop.now + delay, eventLoop: context.eventLoop) { self.timerFired() }
    }

    private func timerFired() {
        guard let context = self.context else { return }
        let now = context.eventLoop.now
        guard self.timer.expired(now: now, eventLoop: context.eventLoop, expire: { self.timerFired() }) else { return }
        switch self.state {
        case .awaitingHead:
            self.headerTimedOut()
        case .idle:
            context.close(promise: nil)
        case .http2:
            let quietFor = now - self.lastActivity
            if quietFor < self.idleTimeout {
                self.arm(after: self.idleTimeout - quietFor)
            } else {
                context.close(promise: nil)
            }
        case .inRequest:
            break
        }
    }

    private func headerTimedOut() {
        guard let context = self.context, case .awaitingHead = self.state else { return }
        guard self.handshakeCompleted else {
            context.close(promise: nil)
            return
        }
        let problem = Problem.headerTimeout
        let body = problem.body(allocator: context.channel.allocator)
        var response = context.channel.allocator.buffer(capacity: body.readableBytes + 160)
        response.writeString(
            "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/problem+json\r\n"
                + "content-length: \(body.readableBytes)\r\nconnection: close\r\n\r\n"
        )
        response.writeImmutableBuffer(body)
        context.writeAndFlush(NIOAny(response)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension ConnectionTimeoutHandler: Sendable {}
