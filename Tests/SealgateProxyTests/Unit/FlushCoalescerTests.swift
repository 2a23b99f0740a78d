import NIOCore
import NIOEmbedded
import Testing

@testable import SealgateProxy

@Suite("Flushes of one event-loop tick coalesced (EmbeddedChannel)")
struct FlushCoalescerTests {
    /// Sits between the coalescer and the channel and counts the flushes that pass.
    final class FlushCounter: ChannelOutboundHandler {
        typealias OutboundIn = NIOAny
        var flushes = 0

        func flush(context: ChannelHandlerContext) {
            self.flushes += 1
            context.flush()
        }
    }

    let counter = FlushCounter()
    let channel: EmbeddedChannel

    init() throws {
        self.channel = EmbeddedChannel()
        try self.channel.pipeline.syncOperations.addHandler(self.counter)
        try self.channel.pipeline.syncOperations.addHandler(FlushCoalescer())
    }

    func written() throws -> [String] {
        var texts: [String] = []
        while let buffer = try self.channel.readOutbound(as: ByteBuffer.self) { texts.append(String(buffer: buffer)) }
        return texts
    }

    @Test("three responses flushed in one tick leave in one flush, once the tick's events are handled")
    func oneFlushPerTick() throws {
        for text in ["a", "b", "c"] {
            self.channel.write(ByteBuffer(string: text), promise: nil)
            self.channel.flush()
        }
        #expect(self.counter.flushes == 0)
        #expect(try self.written().isEmpty)
        self.channel.embeddedEventLoop.run()
        #expect(self.counter.flushes == 1)
        #expect(try self.written() == ["a", "b", "c"])

        // The next tick gets its own flush.
        self.channel.write(ByteBuffer(string: "d"), promise: nil)
        self.channel.flush()
        self.channel.embeddedEventLoop.run()
        #expect(self.counter.flushes == 2)
        #expect(try self.written() == ["d"])
    }

    @Test("a close flushes what is pending first, so a last frame such as GOAWAY is sent")
    func closeFlushesFirst() throws {
        self.channel.write(ByteBuffer(string: "goaway"), promise: nil)
        self.channel.flush()
        _ = try? self.channel.close().wait()
        #expect(self.counter.flushes == 1)
        #expect(try self.written() == ["goaway"])
        // The flush scheduled before the close finds nothing left to do.
        self.channel.embeddedEventLoop.run()
        #expect(self.counter.flushes == 1)
    }
}
