import NIOCore
import NIOHTTP2

/// On an HTTP/2 connection, after the HTTP/2 handler: when shutdown begins (`ChannelShouldQuiesceEvent`), sends
/// GOAWAY naming the last stream accepted, so that the client opens no more, and closes the connection once its
/// open streams are done. Without it an idle HTTP/2 connection would hold shutdown up for all of `shutdown_grace`.
final class HTTP2GracefulShutdown: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private var openStreams = 0
    private var lastStreamID = HTTP2StreamID.rootStream
    private var quiescing = false

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let created as NIOHTTP2StreamCreatedEvent:
            self.openStreams += 1
            self.lastStreamID = max(self.lastStreamID, created.streamID)
        case is StreamClosedEvent:
            self.openStreams -= 1
            if self.quiescing, self.openStreams == 0 { context.close(promise: nil) }
        case is ChannelShouldQuiesceEvent where !self.quiescing:
            self.quiescing = true
            let goAway = HTTP2Frame(
                streamID: .rootStream,
                payload: .goAway(lastStreamID: self.lastStreamID, errorCode: .noError, opaqueData: nil)
            )
            context.writeAndFlush(self.wrapOutboundOut(goAway), promise: nil)
            if self.openStreams == 0 { context.close(promise: nil) }
        default:
            break
        }
        context.fireUserInboundEventTriggered(event)
    }
}

@available(*, unavailable)
extension HTTP2GracefulShutdown: Sendable {}
