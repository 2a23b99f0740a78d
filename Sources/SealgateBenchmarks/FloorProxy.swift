import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The floor under sealgate's HTTP/1.1 passthrough: the least a swift-nio TLS 1.3 mTLS proxy does, with the
/// transport sealgate uses (NIOSSL, NIO's HTTP/1.1 server pipeline with pipelining assistance, NIO's HTTP/1.1
/// client codec, one kept-alive backend connection per client connection) and none of sealgate's own work: no
/// routing, authorization, header policy, request ids, timeouts, metrics or logs. `Benchmarks/run` measures it
/// beside sealgate and nginx, so that the table shows how much of the gap to nginx is the framework's.
///
/// `SealgateBenchmarks floor-proxy LISTEN_PORT BACKEND_PORT CERT KEY CA` (loopback only; a benchmark tool, not
/// a proxy to deploy: it forwards anything, and an unreachable backend closes the client connection).
enum FloorProxy {
    static func run(_ arguments: [String]) throws {
        guard arguments.count == 5, let listenPort = Int(arguments[0]), let backendPort = Int(arguments[1]) else {
            throw FloorProxyError("usage: SealgateBenchmarks floor-proxy LISTEN_PORT BACKEND_PORT CERT KEY CA")
        }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(arguments[2]).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: arguments[3], format: .pem))
        )
        tls.minimumTLSVersion = .tlsv13
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .file(arguments[4])
        tls.applicationProtocols = ["http/1.1"]
        let sslContext = try NIOSSLContext(configuration: tls)
        let backend = try SocketAddress(ipAddress: "127.0.0.1", port: backendPort)

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(NIOSSLServerHandler(context: sslContext))
                    try sync.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: false)
                    try sync.addHandler(ClientSide(backend: backend))
                }
            }
            .bind(host: "127.0.0.1", port: listenPort)
            .wait()
        print("floor proxy listening on 127.0.0.1:\(listenPort), backend 127.0.0.1:\(backendPort)")
        try server.closeFuture.wait()
    }
}

private struct FloorProxyError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Forwards each client request to the connection's backend channel, connecting it at the first request.
private final class ClientSide: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let backend: SocketAddress
    private var upstream: (any Channel)?
    /// Request parts that arrived before the backend connection was up.
    private var waiting: [HTTPClientRequestPart]?

    init(backend: SocketAddress) {
        self.backend = backend
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part: HTTPClientRequestPart
        switch self.unwrapInboundIn(data) {
        case .head(let head): part = .head(head)
        case .body(let body): part = .body(.byteBuffer(body))
        case .end(let trailers): part = .end(trailers)
        }
        if let upstream = self.upstream {
            upstream.write(part, promise: nil)
            if case .end = part { upstream.flush() }
        } else if self.waiting != nil {
            self.waiting!.append(part)
        } else {
            self.waiting = [part]
            self.connect(context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.upstream?.close(promise: nil)
        context.fireChannelInactive()
    }

    private func connect(context: ChannelHandlerContext) {
        let client = NIOLoopBound(context, eventLoop: context.eventLoop)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        ClientBootstrap(group: context.eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(BackendSide(client: client.value))
                }
            }
            .connect(to: self.backend)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    handler.value.upstream = channel
                    for part in handler.value.waiting ?? [] { channel.write(part, promise: nil) }
                    handler.value.waiting = nil
                    channel.flush()
                case .failure:
                    client.value.close(promise: nil)
                }
            }
    }
}

/// Relays the backend's responses to the client connection.
private final class BackendSide: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let client: ChannelHandlerContext

    init(client: ChannelHandlerContext) {
        self.client = client
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.client.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        case .body(let body):
            self.client.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
        case .end(let trailers):
            self.client.writeAndFlush(NIOAny(HTTPServerResponsePart.end(trailers)), promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.client.close(promise: nil)
    }
}
