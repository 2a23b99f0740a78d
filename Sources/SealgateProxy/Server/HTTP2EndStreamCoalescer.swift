import NIOCore
import NIOHTTP2

/// Ends an HTTP/2 response on its last frame: the HTTP/1 codec ends every message with an empty
/// DATA frame carrying END_STREAM, and clients such as libcurl reset a stream whose body they
/// have read in full but which is not ended yet. Those resets count towards the rapid-reset
/// limit, so a client sending a few hundred requests on one connection would be told to go away.
///
/// The last HEADERS or DATA frame written is held until the next write or flush; an empty
/// END_STREAM DATA frame that follows it is folded into it.
final class HTTP2EndStreamCoalescer: ChannelOutboundHandler {
    typealias OutboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private var held: (payload: HTTP2Frame.FramePayload, promise: EventLoopPromise<Void>?)?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let payload = self.unwrapOutboundIn(data)
        if Self.isEmptyEnd(payload), let held = self.held, let ended = Self.ended(held.payload) {
            self.held = nil
            if let promise { held.promise?.futureResult.cascade(to: promise) }
            context.write(self.wrapOutboundOut(ended), promise: held.promise ?? promise)
            return
        }
        self.writeHeld(context: context)
        if Self.ended(payload) != nil {
            self.held = (payload, promise)
        } else {
            context.write(data, promise: promise)
        }
    }

    func flush(context: ChannelHandlerContext) {
        self.writeHeld(context: context)
        context.flush()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        self.writeHeld(context: context)
        context.close(mode: mode, promise: promise)
    }

    private func writeHeld(context: ChannelHandlerContext) {
        guard let held = self.held else { return }
        self.held = nil
        context.write(self.wrapOutboundOut(held.payload), promise: held.promise)
    }

    /// The frame with END_STREAM set, if it is a HEADERS or byte-buffer DATA frame that could carry it.
    private static func ended(_ payload: HTTP2Frame.FramePayload) -> HTTP2Frame.FramePayload? {
        switch payload {
        case .headers(var headers) where !headers.endStream:
            headers.endStream = true
            return .headers(headers)
        case .data(var data) where !data.endStream:
            guard case .byteBuffer = data.data else { return nil }
            data.endStream = true
            return .data(data)
        default:
            return nil
        }
    }

    private static func isEmptyEnd(_ payload: HTTP2Frame.FramePayload) -> Bool {
        guard case .data(let data) = payload, data.endStream, case .byteBuffer(let buffer) = data.data else { return false }
        return buffer.readableBytes == 0 && data.paddingBytes == nil
    }
}

@available(*, unavailable)
extension HTTP2EndStreamCoalescer: Sendable {}
