import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The plain-HTTP admin listener: `/healthz`, `/readyz`, `/metrics` and `/certs`. Keep it on loopback
/// or a pod-local port.
public final class AdminServer: Service {
    /// Renders the Prometheus text exposition of every metric, computing the scrape-time ones.
    public typealias MetricsRenderer = @Sendable () async -> String
    /// Renders the `/certs` JSON document.
    public typealias CertificatesRenderer = @Sendable () async -> String

    private let address: SocketAddressConfiguration
    private let group: any EventLoopGroup
    private let readiness: Readiness
    private let renderMetrics: MetricsRenderer
    private let renderCertificates: CertificatesRenderer
    private let logger: Logger

    /// - Parameters:
    ///   - address: where to listen.
    ///   - group: event loops to serve on.
    ///   - readiness: what `/readyz` reports.
    ///   - renderMetrics: produces the `/metrics` body.
    ///   - renderCertificates: produces the `/certs` body.
    ///   - logger: for start and stop messages.
    public init(
        address: SocketAddressConfiguration,
        group: any EventLoopGroup,
        readiness: Readiness,
        renderMetrics: @escaping MetricsRenderer,
        renderCertificates: @escaping CertificatesRenderer,
        logger: Logger
    ) {
        self.address = address
        self.group = group
        self.readiness = readiness
        self.renderMetrics = renderMetrics
        self.renderCertificates = renderCertificates
        self.logger = logger
    }

    private let listening = NIOLockedValueBox<(any Channel)?>(nil)

    /// Opens the listening socket (before any service starts); ``run()`` does it itself when it was not called.
    /// - Throws: ``ListenError`` naming `admin.address`.
    public func bind() async throws(ListenError) {
        _ = try await self.bound()
    }

    private func bound() async throws(ListenError) -> any Channel {
        if let channel = self.listening.withLockedValue({ $0 }) { return channel }
        let readiness = self.readiness
        let renderMetrics = self.renderMetrics
        let renderCertificates = self.renderCertificates
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: self.group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                        try channel.pipeline.syncOperations.addHandler(
                            AdminHandler(readiness: readiness, renderMetrics: renderMetrics, renderCertificates: renderCertificates)
                        )
                    }
                }
                .bind(host: self.address.host, port: self.address.port)
                .get()
        } catch {
            throw ListenError(listener: "admin.address", address: self.address, error: error)
        }
        self.listening.withLockedValue { $0 = channel }
        return channel
    }

    public func run() async throws {
        let channel = try await self.bound()
        self.logger.info("admin listening", metadata: ["address": "\(channel.localAddress?.hostAndPort ?? "-")"])
        // Closing on cancellation too: when another service fails, the group cancels this one,
        // and a wait on a channel's close future does not end by itself.
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await channel.closeFuture.get()
            } onGracefulShutdown: {
                // The service group stops services in reverse order, so this runs once the proxy has
                // drained; until then /readyz answers 503.
                channel.close(promise: nil)
            }
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}

/// Answers admin requests.
final class AdminHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let readiness: Readiness
    private let renderMetrics: AdminServer.MetricsRenderer
    private let renderCertificates: AdminServer.CertificatesRenderer
    private var head: HTTPRequestHead?

    init(
        readiness: Readiness,
        renderMetrics: @escaping AdminServer.MetricsRenderer,
        renderCertificates: @escaping AdminServer.CertificatesRenderer
    ) {
        self.readiness = readiness
        self.renderMetrics = renderMetrics
        self.renderCertificates = renderCertificates
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            let path = head.uri.pathWithoutQuery
            if (head.method == .GET || head.method == .HEAD) && (path == "/certs" || path == "/metrics") {
                // Both read the watched files, off the event loop; the connection waits for it.
                let (render, contentType, suffix) = path == "/certs"
                    ? (self.renderCertificates, "application/json", "\n")
                    : (self.renderMetrics, "text/plain; version=0.0.4; charset=utf-8", "")
                let body = context.eventLoop.makeFutureWithTask { await render() }
                body.assumeIsolated().whenSuccess { body in
                    self.send(context: context, head: head, response: (.ok, contentType, body + suffix))
                }
            } else {
                self.send(context: context, head: head, response: self.respond(to: head))
            }
        }
    }

    private func send(context: ChannelHandlerContext, head: HTTPRequestHead, response: (HTTPResponseStatus, String, String)) {
        let (status, contentType, body) = response
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "content-length", value: String(body.utf8.count))
        if !head.isKeepAlive { headers.add(name: "connection", value: "close") }
        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        }
        let done = context.writeAndFlush(self.wrapOutboundOut(.end(nil)))
        if !head.isKeepAlive { done.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
    }

    private func respond(to head: HTTPRequestHead) -> (HTTPResponseStatus, String, String) {
        guard head.method == .GET || head.method == .HEAD else {
            return (.methodNotAllowed, "text/plain", "method not allowed\n")
        }
        switch head.uri.pathWithoutQuery {
        case "/healthz":
            return (.ok, "text/plain", "ok\n")
        case "/readyz":
            let reasons = self.readiness.blockingReasons
            let warnings = self.readiness.currentWarnings.map { "warning: \($0)\n" }.joined()
            return reasons.isEmpty
                ? (.ok, "text/plain", "ready\n" + warnings)
                : (.serviceUnavailable, "text/plain", "not ready: \(reasons.joined(separator: ", "))\n" + warnings)
        default:
            return (.notFound, "text/plain", "not found\n")
        }
    }
}

@available(*, unavailable)
extension AdminHandler: Sendable {}
