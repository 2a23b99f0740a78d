import NIOCore
import NIOHTTP1

/// Receives what happens on an upstream connection while it serves one exchange.
protocol UpstreamDelegate: AnyObject {
    func upstreamReceived(_ part: HTTPClientResponsePart)
    func upstreamReadComplete()
    func upstreamWritabilityChanged(isWritable: Bool)
    /// The connection closed or failed before the response ended.
    func upstreamClosed()
}

/// The last handler of a backend connection: hands response parts to the current exchange and
/// holds reads while the client cannot take more (backpressure).
final class UpstreamHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    /// The exchange using this connection; `nil` while idle in the pool. Strong, and cleared when the exchange lets go
    /// (``abort()``, the pool's release, the connection's close): a weak reference would give every request handler
    /// a side table, and every retain and release of it the slow path.
    var delegate: (any UpstreamDelegate)?
    private weak var pool: UpstreamConnectionPool?
    private var context: ChannelHandlerContext?
    private var reads = ReadGate()
    /// When the connection last went back to the pool.
    var idleSince = NIODeadline.uptimeNanoseconds(0)

    init(pool: UpstreamConnectionPool) {
        self.pool = pool
    }

    /// Whether the connection can carry another request.
    var isActive: Bool { self.context?.channel.isActive ?? false }
    /// Whether the connection can take more request bytes now.
    var isWritable: Bool { self.context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func write(_ part: HTTPClientRequestPart) {
        self.context?.write(self.wrapOutboundOut(part), promise: nil)
    }

    func flush() {
        self.context?.flush()
    }

    /// Closes the connection without finishing the request: the backend sees an incomplete request.
    func abort() {
        self.delegate = nil
        self.context?.close(promise: nil)
    }

    /// Hands the connection back to its pool once its exchange completed cleanly.
    func release() {
        guard let pool = self.pool else { return self.abort() }
        pool.release(self)
    }

    /// Holds reading the response (backpressure from a slow client), or resumes it.
    func setReads(open: Bool) {
        if self.reads.set(open: open) { self.context?.read() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let delegate = self.delegate else {
            // Nothing may arrive on an idle connection: it cannot be reused.
            context.close(promise: nil)
            return
        }
        delegate.upstreamReceived(self.unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.delegate?.upstreamReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        self.delegate?.upstreamWritabilityChanged(isWritable: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.pool?.discard(self)
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamClosed()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if self.reads.shouldRead() { context.read() }
    }
}

@available(*, unavailable)
extension UpstreamHandler: Sendable {}
