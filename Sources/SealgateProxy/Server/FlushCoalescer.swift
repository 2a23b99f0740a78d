import NIOCore

/// Turns the flushes of one event-loop tick into one, on an HTTP/2 connection: the responses of
/// several streams that finish together then leave in one TLS write and one system call instead of
/// one each (the idea of Netty's FlushConsolidationHandler).
///
/// The flush runs once the loop has handled the events of its tick, so no response waits for more
/// than that. A close first flushes what is pending, so a last frame such as GOAWAY is not lost.
final class FlushCoalescer: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny

    private var flushPending = false

    func flush(context: ChannelHandlerContext) {
        guard !self.flushPending else { return }
        self.flushPending = true
        context.eventLoop.assumeIsolated().execute {
            self.flushNow(context: context)
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        self.flushNow(context: context)
        context.close(mode: mode, promise: promise)
    }

    private func flushNow(context: ChannelHandlerContext) {
        guard self.flushPending else { return }
        self.flushPending = false
        context.flush()
    }
}

@available(*, unavailable)
extension FlushCoalescer: Sendable {}
