import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL

/// The floor under sealgate's passthrough: the least a swift-nio TLS 1.3 mTLS proxy does, with the transport
/// sealgate uses (NIOSSL; ALPN; NIO's HTTP/1.1 server pipeline with pipelining assistance, or NIO's HTTP/2
/// multiplexer with each stream converted to HTTP/1.1 parts; NIO's HTTP/1.1 client codec; kept-alive backend
/// connections pooled per event loop) and none of sealgate's own work: no routing, authorization, header policy,
/// request ids, timeouts, metrics or logs. `Benchmarks/run` measures it beside sealgate and nginx, so that the
/// table shows how much of the gap to nginx is the framework's.
///
/// `SealgateBenchmarks floor-proxy LISTEN_PORT BACKEND_PORT CERT KEY CA` (loopback only; a benchmark tool, not
/// a proxy to deploy: it forwards anything, and an unreachable backend closes the client connection).
enum FloorProxy {
    static func run(_ arguments: [String]) throws {
        guard arguments.count == 5, let listenPort = Int(arguments[0]), let backendPort = Int(arguments[1]) else {
            throw BenchmarkUsageError("usage: SealgateBenchmarks floor-proxy LISTEN_PORT BACKEND_PORT CERT KEY CA")
        }
        let sslContext = try BenchmarkTLS.serverContext(
            certificate: arguments[2],
            key: arguments[3],
            ca: arguments[4],
            protocols: ["h2", "http/1.1"]
        )
        let backend = try SocketAddress(ipAddress: "127.0.0.1", port: backendPort)

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let pool = try loop.submit { NIOLoopBound(BackendPool(backend: backend), eventLoop: loop) }.wait()
        let server = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                }.flatMap {
                    // HTTP/1.1 connections and HTTP/2 streams alike get HTTP/1.1 request parts.
                    channel.configureCommonHTTPServerPipeline { requestChannel in
                        requestChannel.eventLoop.makeCompletedFuture {
                            try requestChannel.pipeline.syncOperations.addHandler(ClientSide(pool: pool.value))
                        }
                    }
                }
            }
            .bind(host: "127.0.0.1", port: listenPort)
            .wait()
        print("floor proxy listening on 127.0.0.1:\(listenPort), backend 127.0.0.1:\(backendPort)")
        try server.closeFuture.wait()
    }
}

/// Kept-alive backend connections of the one event loop: taken for a request, given back after its response.
private final class BackendPool {
    private let backend: SocketAddress
    private var idle: [BackendSide] = []

    init(backend: SocketAddress) {
        self.backend = backend
    }

    func acquire(on eventLoop: any EventLoop, _ completion: @escaping (BackendSide?) -> Void) {
        while let connection = self.idle.popLast() {
            if connection.isActive { return completion(connection) }
        }
        ClientBootstrap(group: eventLoop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(BackendSide())
                }
            }
            .connect(to: self.backend)
            .assumeIsolated()
            .whenComplete { result in
                completion(try? result.get().pipeline.syncOperations.handler(type: BackendSide.self))
            }
    }

    func release(_ connection: BackendSide) {
        self.idle.append(connection)
    }
}

/// Forwards each request of a client connection (or HTTP/2 stream) to a pooled backend connection.
private final class ClientSide: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let pool: BackendPool
    private var upstream: BackendSide?
    /// Request parts that arrived before a backend connection was at hand.
    private var waiting: [HTTPClientRequestPart]?

    init(pool: BackendPool) {
        self.pool = pool
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part: HTTPClientRequestPart
        switch self.unwrapInboundIn(data) {
        case .head(var head):
            // HTTP/2 streams arrive as HTTP/2.0 heads; the backend speaks HTTP/1.1.
            head.version = .http1_1
            part = .head(head)
        case .body(let body): part = .body(.byteBuffer(body))
        case .end(let trailers): part = .end(trailers)
        }
        if let upstream = self.upstream {
            upstream.send(part)
        } else if self.waiting != nil {
            self.waiting!.append(part)
        } else {
            self.waiting = [part]
            let client = NIOLoopBound(context, eventLoop: context.eventLoop)
            self.pool.acquire(on: context.eventLoop) { connection in
                guard let connection else { return client.value.close(promise: nil) }
                self.upstream = connection
                connection.attach(client: client.value) {
                    self.upstream = nil
                    self.pool.release(connection)
                }
                for part in self.waiting ?? [] { connection.send(part) }
                self.waiting = nil
            }
        }
    }
}

/// Relays one backend connection's responses to the client of the request it serves.
private final class BackendSide: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// Headers that stay on this hop (and that HTTP/2 forbids); a constant, so no response allocates the list.
    private static let hopByHopHeaders = ["connection", "keep-alive", "transfer-encoding"]

    private var context: ChannelHandlerContext?
    private var client: ChannelHandlerContext?
    private var finished: (() -> Void)?

    var isActive: Bool { self.context?.channel.isActive ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func attach(client: ChannelHandlerContext, finished: @escaping () -> Void) {
        self.client = client
        self.finished = finished
    }

    func send(_ part: HTTPClientRequestPart) {
        guard let context = self.context else { return }
        context.write(self.wrapOutboundOut(part), promise: nil)
        if case .end = part { context.flush() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let client = self.client else { return }
        switch self.unwrapInboundIn(data) {
        case .head(var head):
            for name in Self.hopByHopHeaders { head.headers.remove(name: name) }
            client.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        case .body(let body):
            client.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
        case .end(let trailers):
            client.writeAndFlush(NIOAny(HTTPServerResponsePart.end(trailers)), promise: nil)
            self.client = nil
            self.finished?()
            self.finished = nil
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.client?.close(promise: nil)
        self.client = nil
    }
}
