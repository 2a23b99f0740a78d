import NIOCore
import NIOPosix
import NIOSSL

/// The floor under the framework floor: TLS termination and nothing else. Each client connection gets one kept-alive
/// backend connection, and the decrypted bytes are copied to it and back as they come, with no HTTP parsing at all.
/// `Benchmarks/run` measures it beside ``FloorProxy`` and sealgate, so that the table splits the cost of a request
/// into NIOSSL's (this relay), NIO's HTTP/1.1 codecs' (the floor minus this) and sealgate's own (sealgate minus the
/// floor).
///
/// `SealgateBenchmarks relay-proxy LISTEN_PORT BACKEND_PORT CERT KEY CA` (loopback only; HTTP/1.1 only, since the
/// bytes go to an HTTP/1.1 backend as they are).
enum RelayProxy {
    static func run(_ arguments: [String]) throws {
        guard arguments.count == 5, let listenPort = Int(arguments[0]), let backendPort = Int(arguments[1]) else {
            throw BenchmarkUsageError("usage: SealgateBenchmarks relay-proxy LISTEN_PORT BACKEND_PORT CERT KEY CA")
        }
        let sslContext = try BenchmarkTLS.serverContext(
            certificate: arguments[2],
            key: arguments[3],
            ca: arguments[4],
            protocols: ["http/1.1"]
        )
        let backend = try SocketAddress(ipAddress: "127.0.0.1", port: backendPort)

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { client in
                client.eventLoop.makeCompletedFuture {
                    try client.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                }.flatMap {
                    ClientBootstrap(group: client.eventLoop)
                        .channelOption(.socketOption(.tcp_nodelay), value: 1)
                        .connect(to: backend)
                }.flatMapThrowing { upstream in
                    // The client's channel reads only once this initializer is done: the relay is in place by then.
                    let (clientSide, upstreamSide) = RelayHandler.pair()
                    try client.pipeline.syncOperations.addHandler(clientSide)
                    try upstream.pipeline.syncOperations.addHandler(upstreamSide)
                }
            }
            .bind(host: "127.0.0.1", port: listenPort)
            .wait()
        print("relay proxy listening on 127.0.0.1:\(listenPort), backend 127.0.0.1:\(backendPort)")
        try server.closeFuture.wait()
    }
}

/// One side of a byte relay: what it reads goes to its partner, reads stop while the partner cannot write, and a
/// close closes both.
private final class RelayHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: RelayHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false

    static func pair() -> (RelayHandler, RelayHandler) {
        let first = RelayHandler()
        let second = RelayHandler()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.partner?.context?.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.partner?.context?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.partner?.context?.close(promise: nil)
        self.partner = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { self.partner?.resumeRead() }
    }

    func read(context: ChannelHandlerContext) {
        if self.partner?.context?.channel.isWritable ?? true {
            context.read()
        } else {
            self.pendingRead = true
        }
    }

    private func resumeRead() {
        guard self.pendingRead else { return }
        self.pendingRead = false
        self.context?.read()
    }
}

@available(*, unavailable)
extension RelayHandler: Sendable {}
