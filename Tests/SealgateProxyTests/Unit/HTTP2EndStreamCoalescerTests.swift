import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import SealgateProxy

@Suite("HTTP/2 END_STREAM on the last frame")
struct HTTP2EndStreamCoalescerTests {
    let channel = EmbeddedChannel(handler: HTTP2EndStreamCoalescer())

    func headers(_ endStream: Bool = false) -> HTTP2Frame.FramePayload {
        .headers(.init(headers: [":status": "200"], endStream: endStream))
    }

    func data(_ text: String, endStream: Bool = false) -> HTTP2Frame.FramePayload {
        .data(.init(data: .byteBuffer(ByteBuffer(string: text)), endStream: endStream))
    }

    /// The frames written out, as `H` (headers) or the DATA text, with `!` for END_STREAM.
    func written() throws -> [String] {
        var frames: [String] = []
        while let payload = try self.channel.readOutbound(as: HTTP2Frame.FramePayload.self) {
            switch payload {
            case .headers(let headers): frames.append("H" + (headers.endStream ? "!" : ""))
            case .data(let data):
                guard case .byteBuffer(let buffer) = data.data else { continue }
                frames.append(String(buffer: buffer) + (data.endStream ? "!" : ""))
            default: frames.append("?")
            }
        }
        return frames
    }

    @Test("a body and its end written together become one DATA frame with END_STREAM")
    func folded() throws {
        self.channel.write(self.headers(), promise: nil)
        self.channel.write(self.data("a"), promise: nil)
        self.channel.write(self.data("b"), promise: nil)
        let last = self.channel.eventLoop.makePromise(of: Void.self)
        let end = self.channel.eventLoop.makePromise(of: Void.self)
        self.channel.write(self.data("c"), promise: last)
        self.channel.writeAndFlush(self.data("", endStream: true), promise: end)
        #expect(try self.written() == ["H", "a", "b", "c!"])
        try last.futureResult.wait()
        try end.futureResult.wait()
    }

    @Test("a response without a body ends on its HEADERS frame")
    func headersOnly() throws {
        self.channel.write(self.headers(), promise: nil)
        self.channel.writeAndFlush(self.data("", endStream: true), promise: nil)
        #expect(try self.written() == ["H!"])
    }

    @Test("a flush in between sends what was held: streaming is never delayed")
    func flushReleases() throws {
        self.channel.write(self.headers(), promise: nil)
        self.channel.writeAndFlush(self.data("a"), promise: nil)
        #expect(try self.written() == ["H", "a"])
        self.channel.writeAndFlush(self.data("", endStream: true), promise: nil)
        #expect(try self.written() == ["!"])
    }

    @Test("trailers end the stream as they are")
    func trailers() throws {
        self.channel.write(self.data("a"), promise: nil)
        self.channel.writeAndFlush(self.headers(true), promise: nil)
        #expect(try self.written() == ["a", "H!"])
    }
}
