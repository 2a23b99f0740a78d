import NIOCore
import NIOHTTP2

/// On an HTTP/2 connection: when shutdown begins (`ChannelShouldQuiesceEvent`), sends GOAWAY naming the last stream
/// accepted, so that the client opens no more (and knows any later one was not processed), and closes the
/// connection once its open streams are done. Without it an idle HTTP/2 connection would hold shutdown up for all of
/// `shutdown_grace`. The stream initializer reports each stream (``streamOpened(_:)``).
final class HTTP2GracefulShutdown: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private var context: ChannelHandlerContext?
    private var openStreams = 0
    private var lastStreamID = HTTP2StreamID.rootStream
    private var quiescing = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// A stream the client opened; it counts until its channel closes.
    func streamOpened(_ stream: any Channel) {
        self.openStreams += 1
        if let id = try? stream.syncOptions?.getOption(HTTP2StreamChannelOptions.streamID) {
            self.lastStreamID = max(self.lastStreamID, id)
        }
        stream.closeFuture.assumeIsolated().whenComplete { _ in
            self.openStreams -= 1
            if self.quiescing, self.openStreams == 0 { self.context?.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !self.quiescing {
            self.quiescing = true
            let goAway = HTTP2Frame(
                streamID: .rootStream,
                payload: .goAway(lastStreamID: self.lastStreamID, errorCode: .noError, opaqueData: nil)
            )
            context.writeAndFlush(self.wrapOutboundOut(goAway), promise: nil)
            if self.openStreams == 0 { context.close(promise: nil) }
        }
        context.fireUserInboundEventTriggered(event)
    }
}

@available(*, unavailable)
extension HTTP2GracefulShutdown: Sendable {}
