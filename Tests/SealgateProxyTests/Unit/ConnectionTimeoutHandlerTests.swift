import NIOCore
import NIOEmbedded
import NIOTLS
import Testing

@testable import SealgateProxy

@Suite("Connection timeouts (EmbeddedChannel)")
struct ConnectionTimeoutHandlerTests {
    func makeChannel() throws -> (EmbeddedChannel, ConnectionTimeoutHandler) {
        let handler = ConnectionTimeoutHandler(headerTimeout: .seconds(10), idleTimeout: .seconds(60))
        let channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, handler)
    }

    @Test("a header block not received in time gets 408 and the connection closes")
    func headerTimeout() throws {
        let (channel, _) = try self.makeChannel()
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: "http/1.1"))
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\nHost: x\r\n"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        let response = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: response).hasPrefix("HTTP/1.1 408 Request Timeout\r\ncontent-type: application/problem+json"))
        #expect(String(buffer: response).contains(#""code":"header_timeout""#))
        #expect(!channel.isActive)
    }

    @Test("a handshake not finished in time is closed without a response")
    func handshakeTimeout() throws {
        let (channel, _) = try self.makeChannel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        #expect(!channel.isActive)
    }

    @Test("the header timer stops at the head; the idle timer runs between requests")
    func idleBetweenRequests() throws {
        let (channel, handler) = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        handler.headReceived()
        channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(channel.isActive)
        handler.responseFinished()
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("the next request's first byte restarts the header timer")
    func nextRequestHeaderTimer() throws {
        let (channel, handler) = try self.makeChannel()
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: nil))
        handler.headReceived()
        handler.responseFinished()
        channel.embeddedEventLoop.advanceTime(by: .seconds(50))
        try channel.writeInbound(ByteBuffer(string: "GE"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0).hasPrefix("HTTP/1.1 408") } == true)
    }

    /// 200 s of requests, far past both timeouts measured from the first one: each request's head
    /// takes a second to arrive in full, its response another.
    private func serve100Requests(on channel: EmbeddedChannel, _ handler: ConnectionTimeoutHandler) throws {
        for _ in 0..<100 {
            try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
            handler.headReceived()
            channel.embeddedEventLoop.advanceTime(by: .seconds(1))
            handler.responseFinished()
            channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        }
    }

    @Test("a long run of requests re-arms one timer lazily: no early close, and both timeouts stay exact")
    func manyRequests() throws {
        let (channel, handler) = try self.makeChannel()
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: nil))
        try self.serve100Requests(on: channel, handler)
        #expect(channel.isActive)
        try channel.writeInbound(ByteBuffer(string: "GE"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0).hasPrefix("HTTP/1.1 408") } == true)
    }

    @Test("after a long run of requests the idle timeout still closes exactly idle_timeout after the last response")
    func idleAfterManyRequests() throws {
        let (channel, handler) = try self.makeChannel()
        try self.serve100Requests(on: channel, handler)
        channel.embeddedEventLoop.advanceTime(by: .seconds(58))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test("HTTP/2 connections close after idle_timeout without traffic, not while busy")
    func http2Idle() throws {
        let (channel, handler) = try self.makeChannel()
        handler.switchToHTTP2()
        channel.embeddedEventLoop.advanceTime(by: .seconds(40))
        try channel.writeInbound(ByteBuffer(string: "frames"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(40))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .seconds(21))
        #expect(!channel.isActive)
    }

    @Test("the request line is kept for refusals made before a head exists, across reads")
    func requestLine() throws {
        let (channel, handler) = try self.makeChannel()
        try channel.writeInbound(ByteBuffer(string: "post /v1/pat"))
        try channel.writeInbound(ByteBuffer(string: "ients HTTP/1.1\r\nHost: x\r\n"))
        #expect(String(decoding: handler.requestLine, as: UTF8.self) == "post /v1/patients HTTP/1.1")
        #expect(try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) } == "post /v1/pat")
    }
}
