import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// Probes the backend every `upstream.health.interval` and keeps `/readyz` unready (`upstream_unhealthy`) from the
/// start until a probe succeeds, and again after `unhealthy_after` failures in a row: a pod is not Ready before its
/// backend listens, nor while it is down.
final class UpstreamHealthCheck: Service {
    static let reason = "upstream_unhealthy"

    private let health: UpstreamHealthConfiguration
    private let upstream: UpstreamConfiguration
    private let tls: ReloadableTLS?
    private let group: any EventLoopGroup
    private let readiness: Readiness
    private let logger: Logger

    init(
        health: UpstreamHealthConfiguration,
        upstream: UpstreamConfiguration,
        tls: ReloadableTLS?,
        group: any EventLoopGroup,
        readiness: Readiness,
        logger: Logger
    ) {
        self.health = health
        self.upstream = upstream
        self.tls = tls
        self.group = group
        self.readiness = readiness
        self.logger = logger
        readiness.block(Self.reason)
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var failures = 0
            var healthy = false
            while !Task.isCancelled {
                if let failure = await self.probe() {
                    failures += 1
                    if healthy, failures >= self.health.unhealthyAfter {
                        healthy = false
                        self.readiness.block(Self.reason)
                        self.logger.warning("backend unhealthy: not ready", metadata: ["failures": "\(failures)", "error": "\(failure)"])
                    }
                } else {
                    failures = 0
                    if !healthy {
                        healthy = true
                        self.readiness.unblock(Self.reason)
                        self.logger.info("backend healthy")
                    }
                }
                try await Task.sleep(for: self.health.interval)
            }
        }
    }

    /// One probe: nil when it succeeded, else why not.
    private func probe() async -> String? {
        do {
            switch self.health.probe {
            case .tcp:
                let channel = try await self.connect(http: false)
                try? await channel.close()
                return nil
            case .http(let path):
                let status = try await self.get(path)
                return (200..<400).contains(status.code) ? nil : "GET \(path) answered \(status.code)"
            }
        } catch {
            return "\(error)"
        }
    }

    private func connect(http: Bool) async throws -> any Channel {
        let sslContext = self.tls?.loaded.context
        let host = self.upstream.host
        return try await ClientBootstrap(group: self.group)
            .connectTimeout(TimeAmount(self.upstream.connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if http, let sslContext {
                        let serverHostname = host.isIPAddress ? nil : host
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
                    }
                }
            }
            .connect(host: host, port: self.upstream.port)
            .get()
    }

    /// `GET path`, the response's status, within the probe interval.
    private func get(_ path: String) async throws -> HTTPResponseStatus {
        let channel = try await self.connect(http: true)
        let status = channel.eventLoop.makePromise(of: HTTPResponseStatus.self)
        let timeout = channel.eventLoop.scheduleTask(in: TimeAmount(self.health.interval)) {
            status.fail(ChannelError.connectTimeout(TimeAmount(self.health.interval)))
        }
        defer { timeout.cancel() }
        defer { channel.close(promise: nil) }
        channel.eventLoop.execute {
            do {
                try Self.send(path, on: channel, upstream: self.upstream, status: status)
            } catch {
                status.fail(error)
            }
        }
        return try await status.futureResult.get()
    }

    /// Sends `GET path` on a connected channel; the catcher completes `status` with the answer.
    private static func send(
        _ path: String,
        on channel: any Channel,
        upstream: UpstreamConfiguration,
        status: EventLoopPromise<HTTPResponseStatus>
    ) throws {
        let sync = channel.pipeline.syncOperations
        try sync.addHTTPClientHandlers()
        try sync.addHandler(StatusCatcher(status: status))
        var headers = HTTPHeaders()
        headers.add(name: "host", value: "\(upstream.host):\(upstream.port)")
        headers.add(name: "user-agent", value: "sealgate-health-check")
        headers.add(name: "connection", value: "close")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
    }
}

/// Completes a promise with the first response head's status, or fails it when the connection ends first.
private final class StatusCatcher: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let status: EventLoopPromise<HTTPResponseStatus>

    init(status: EventLoopPromise<HTTPResponseStatus>) {
        self.status = status
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = self.unwrapInboundIn(data) { self.status.succeed(head.status) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.status.fail(ChannelError.eof)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.status.fail(error)
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension StatusCatcher: Sendable {}
