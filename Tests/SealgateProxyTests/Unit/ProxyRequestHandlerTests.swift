import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import SealgateCertificates
import Testing

@testable import SealgateProxy

@Suite("Proxy request handler refusals (EmbeddedChannel)")
struct ProxyRequestHandlerTests {
    func makeChannel(allow: [IdentityPattern]) throws -> EmbeddedChannel {
        let loop = EmbeddedEventLoop()
        var configuration = ProxyConfiguration(
            listener: ListenerConfiguration(
                address: SocketAddressConfiguration(host: "127.0.0.1", port: 0),
                tls: .init(certificatePath: "unused", privateKeyPath: "unused")
            ),
            upstream: UpstreamConfiguration(host: "127.0.0.1", port: 1)
        )
        configuration.authorization = AuthorizationPolicy(allow: allow)
        configuration.routes = [RouteConfiguration(path: try PathPattern("/v1"), methods: ["GET"])]
        let shared = ProxyShared(
            configuration: configuration,
            pools: UpstreamPools(group: loop, configuration: configuration.upstream, tls: nil, logger: Logger(label: "test")),
            metrics: ProxyMetrics(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let client = ClientConnection(identity: try PeerIdentity.testIdentity(uri: "spiffe://x/a"), identityHeaderValue: nil, remoteIP: nil)
        let channel = EmbeddedChannel(handler: ProxyRequestHandler(shared: shared, client: client, timeouts: nil), loop: loop)
        try channel.connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    func response(from channel: EmbeddedChannel) throws -> (HTTPResponseHead, String) {
        guard case .head(let head) = try channel.readOutbound(as: HTTPServerResponsePart.self),
            case .body(.byteBuffer(let body)) = try channel.readOutbound(as: HTTPServerResponsePart.self),
            case .end = try channel.readOutbound(as: HTTPServerResponsePart.self)
        else { throw ExpectedResponse() }
        return (head, String(buffer: body))
    }

    struct ExpectedResponse: Error {}

    @Test("an unauthorized identity gets a complete 403 problem, keep-alive kept")
    func forbidden() throws {
        let channel = try self.makeChannel(allow: [.uri("spiffe://y/*")])
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/v1")))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        let (head, body) = try self.response(from: channel)
        #expect(head.status == .forbidden)
        #expect(head.headers["content-type"] == ["application/problem+json"])
        #expect(head.headers["content-length"] == [String(body.utf8.count)])
        #expect(head.headers["x-request-id"].first?.count == 32)
        #expect(body.contains(#""code":"forbidden""#))
        #expect(channel.isActive)
    }

    @Test("a decoder error before any head gets 400 and closes")
    func parserError() throws {
        let channel = try self.makeChannel(allow: [])
        channel.pipeline.fireErrorCaught(HTTPParserError.invalidHeaderToken)
        let (head, body) = try self.response(from: channel)
        #expect(head.status == .badRequest)
        #expect(head.headers["connection"] == ["close"])
        #expect(body.contains(#""code":"invalid_framing""#))
        #expect(!channel.isActive)
    }

    @Test("a header overflow from the decoder gets 431")
    func headerOverflow() throws {
        let channel = try self.makeChannel(allow: [])
        channel.pipeline.fireErrorCaught(HTTPParserError.headerOverflow)
        let (head, _) = try self.response(from: channel)
        #expect(head.status == .requestHeaderFieldsTooLarge)
    }
}
