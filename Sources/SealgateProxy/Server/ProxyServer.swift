import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOExtras
import NIOHTTP2
import NIOPosix
import NIOSSL
import NIOTLS
import SealgateCertificates
import ServiceLifecycle

/// The client-facing mTLS listener as a ``Service``: accepts, authenticates and proxies until
/// graceful shutdown, then stops accepting and lets in-flight requests finish within the grace period.
public final class ProxyServer: Service {
    private let configuration: ProxyConfiguration
    private let group: any EventLoopGroup
    private let metrics: ProxyMetrics
    private let readiness: Readiness
    private let logger: Logger
    private let keyRing: KeyRing
    private let keyUseAudit: KeyUseAudit?
    private let serverTLS: ReloadableTLS
    private let upstreamTLS: ReloadableTLS?
    private let seenClients: SeenClientCertificates?
    /// The address it listens on, once it does (the port chosen when the configuration says 0).
    public var localAddress: SocketAddress? { self.listening.withLockedValue { $0?.channel.localAddress } }

    /// - Parameters:
    ///   - configuration: the validated configuration.
    ///   - serverTLS: the served certificates; each new connection takes the current ones.
    ///   - upstreamTLS: the backend's TLS material when it is HTTPS.
    ///   - seenClients: receives every verified client certificate, for expiry monitoring.
    ///   - group: the event loops to serve on (one per core).
    ///   - metrics: where request and connection metrics go.
    ///   - readiness: marked ready once listening, not ready once shutting down.
    ///   - logger: receives the access log and operational messages.
    ///   - keyRing: the keys of the key names that field rules use, kept current by a ``KeyReloader``.
    ///   - keyUseAudit: receives every use of a key, if key use is audited.
    public init(
        configuration: ProxyConfiguration,
        serverTLS: ReloadableTLS,
        upstreamTLS: ReloadableTLS?,
        seenClients: SeenClientCertificates? = nil,
        group: any EventLoopGroup,
        metrics: ProxyMetrics,
        readiness: Readiness,
        logger: Logger,
        keyRing: KeyRing = KeyRing(),
        keyUseAudit: KeyUseAudit? = nil
    ) {
        self.keyRing = keyRing
        self.keyUseAudit = keyUseAudit
        self.serverTLS = serverTLS
        self.upstreamTLS = upstreamTLS
        self.seenClients = seenClients
        self.configuration = configuration
        self.group = group
        self.metrics = metrics
        self.readiness = readiness
        self.logger = logger
    }

    /// A bound listening socket and what its connections share, from ``bind()`` until ``run()`` serves it.
    private struct Listening: Sendable {
        var channel: any Channel
        var pools: UpstreamPools
        var limiter: ConnectionLimiter
        var quiesce: ServerQuiescingHelper
    }

    private let listening = NIOLockedValueBox<Listening?>(nil)

    /// Opens the listening socket, so that a taken address fails before any other service starts; ``run()`` does it
    /// itself when it was not called.
    /// - Throws: ``ListenError`` naming `listen.address`.
    public func bind() async throws(ListenError) {
        _ = try await self.bound()
    }

    private func bound() async throws(ListenError) -> Listening {
        if let listening = self.listening.withLockedValue({ $0 }) { return listening }
        let listener = self.configuration.listener
        let pools = UpstreamPools(group: self.group, configuration: self.configuration.upstream, tls: self.upstreamTLS, logger: self.logger)
        let shared = ProxyShared(
            configuration: self.configuration,
            pools: pools,
            metrics: self.metrics,
            logger: self.logger,
            keyRing: self.keyRing,
            keyUseAudit: self.keyUseAudit,
            seenClients: self.seenClients,
            serverTLS: self.serverTLS
        )
        let serverTLS = self.serverTLS
        let resumes = listener.tls.sessionResumption
        let limits = self.configuration.limits
        let limiter = ConnectionLimiter(maximum: limits.maxConnections, metrics: self.metrics)
        let quiesce = ServerQuiescingHelper(group: self.group)
        let logger = self.logger
        let metrics = self.metrics
        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: self.group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                        try channel.pipeline.syncOperations.addHandler(limiter)
                    }
                }
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // The TLS material current now: a reload applies to new connections only.
                        let tls = serverTLS.loaded
                        // Without resumption, each connection gets a context of its own: BoringSSL gives every
                        // context its own ticket keys, so no ticket ever opens on another connection.
                        let context = resumes ? tls.context : try NIOSSLContext(configuration: tls.context.configuration)
                        try ClientPipeline(
                            shared: shared, limits: limits, serverURI: tls.serverURI, trust: tls.trust, logger: logger, metrics: metrics
                        )
                        .configure(channel, sslContext: context)
                    }
                }
                .bind(host: listener.address.host, port: listener.address.port)
                .get()
        } catch {
            throw ListenError(listener: "listen.address", address: listener.address, error: error)
        }
        let listening = Listening(channel: channel, pools: pools, limiter: limiter, quiesce: quiesce)
        self.listening.withLockedValue { $0 = listening }
        return listening
    }

    public func run() async throws {
        let listener = self.configuration.listener
        let listening = try await self.bound()
        let (channel, pools, limiter, quiesce) = (listening.channel, listening.pools, listening.limiter, listening.quiesce)
        let logger = self.logger
        self.logger.info(
            "listening",
            metadata: [
                "address": "\(channel.localAddress?.hostAndPort ?? "\(listener.address)")",
                "upstream": "\(self.configuration.upstream.host):\(self.configuration.upstream.port)",
            ]
        )
        self.readiness.unblock("starting")

        let drained = channel.eventLoop.makePromise(of: Void.self)
        await withTaskCancellationHandler {
            try? await withGracefulShutdownHandler {
                try await channel.closeFuture.get()
            } onGracefulShutdown: {
                self.readiness.block("shutting_down")
                logger.info("shutting down: no new connections, finishing in-flight requests")
                quiesce.initiateShutdown(promise: drained)
            }
        } onCancel: {
            // When another service fails the group cancels this one: stop listening at once.
            channel.close(promise: nil)
        }
        if Task.isCancelled {
            logger.info("stopping at once: closing every connection")
            limiter.closeAll()
            await pools.close()
            drained.succeed()
            return
        }
        let finished = await Self.waitForDrain(drained.futureResult, within: self.configuration.shutdownGrace) {
            logger.warning("shutdown grace period over: closing the remaining connections")
            limiter.closeAll()
        }
        await pools.close()
        if finished { logger.info("all connections finished") }
    }

    /// Waits until every connection has closed, but no longer than `grace`: then `forceClose` runs, and the wait goes
    /// on for at most another ``forcedCloseWait`` (a TLS close waits for the peer's close_notify, which a hung client
    /// never sends). Returns whether the connections finished within `grace`.
    private static func waitForDrain(
        _ drained: EventLoopFuture<Void>,
        within grace: Duration,
        forceClose: @escaping @Sendable () -> Void
    ) async -> Bool {
        let eventLoop = drained.eventLoop
        let outcome = eventLoop.makePromise(of: Bool.self)
        let settled = NIOLoopBoundBox.makeBoxSendingValue(false, eventLoop: eventLoop)
        let settle: @Sendable (Bool) -> Void = { finished in
            guard !settled.value else { return }
            settled.value = true
            outcome.succeed(finished)
        }
        let deadline = eventLoop.scheduleTask(in: TimeAmount(grace)) {
            forceClose()
            eventLoop.scheduleTask(in: Self.forcedCloseWait) { settle(false) }
            drained.whenComplete { _ in settle(false) }
        }
        drained.whenComplete { _ in
            deadline.cancel()
            settle(true)
        }
        return (try? await outcome.futureResult.get()) ?? false
    }

    /// How long shutdown waits for connections it closed at the end of the grace period.
    private static let forcedCloseWait = TimeAmount.milliseconds(1500)
}

/// Sets up one client connection: TLS, timeouts, then HTTP/1.1 or HTTP/2 as ALPN decides.
struct ClientPipeline: Sendable {
    /// Streams per HTTP/2 connection; with the window below, bounds what one client can make us buffer.
    static let http2MaximumStreams = 100
    /// The header list size an HTTP/2 connection advertises and decodes, above `max_header`: a block between the two is
    /// decoded and refused on its own stream with 431 (the planner measures it), where NIO's decoder would end the
    /// whole connection, every other stream with it. NIO decodes with its advertised value, and with its 16 KiB default
    /// until the client has acknowledged the SETTINGS, so that first flight still ends the connection past 16 KiB.
    /// One block is decoded at a time per connection, so the margin bounds memory per connection, not per stream.
    static func http2HeaderListDecodingLimit(maxHeader: Int) -> Int {
        min(max(4 * maxHeader, 256 << 10), 1 << 20)
    }

    /// The HTTP/2 flow-control window per stream: large enough for fast uploads, small enough to bound memory.
    static let http2WindowSize = 256 << 10
    /// The HTTP/2 flow-control window of a whole connection, shared by its streams.
    static let http2ConnectionWindowSize = 1 << 20

    let shared: ProxyShared
    let limits: Limits
    let serverURI: String?
    /// The revocation lists and client CAs of the TLS material this connection uses.
    let trust: PeerTrust?
    let logger: Logger
    let metrics: ProxyMetrics

    func configure(_ channel: any Channel, sslContext: NIOSSLContext) throws {
        let sync = channel.pipeline.syncOperations
        let timeouts = ConnectionTimeoutHandler(
            headerTimeout: TimeAmount(self.limits.headerTimeout),
            idleTimeout: TimeAmount(self.limits.idleTimeout)
        )
        if let trust = self.trust, trust.revocations != nil {
            let check = RevocationCheck(trust: trust, peer: "client", logger: self.logger)
            try sync.addHandler(NIOSSLServerHandler._makeSSLServerHandler(context: sslContext, additionalPeerCertificateVerificationCallback: check.verify(_:channel:)))
        } else {
            try sync.addHandler(NIOSSLServerHandler(context: sslContext))
        }
        try sync.addHandler(ConnectionObserver(metrics: self.metrics, logger: self.logger))
        try sync.addHandler(timeouts)
        let boundTimeouts = NIOLoopBound(timeouts, eventLoop: channel.eventLoop)
        try sync.addHandler(
            ApplicationProtocolNegotiationHandler { result, channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.configureHTTP(result, channel: channel, timeouts: boundTimeouts.value)
                }
            }
        )
    }

    private func configureHTTP(_ result: ALPNResult, channel: any Channel, timeouts: ConnectionTimeoutHandler) throws {
        let sync = channel.pipeline.syncOperations
        let client = try self.clientConnection(channel)
        if case .negotiated("h2") = result {
            timeouts.switchToHTTP2()
            var connectionConfiguration = NIOHTTP2Handler.ConnectionConfiguration()
            connectionConfiguration.initialSettings = [
                HTTP2Setting(parameter: .maxConcurrentStreams, value: Self.http2MaximumStreams),
                HTTP2Setting(parameter: .maxHeaderListSize, value: Self.http2HeaderListDecodingLimit(maxHeader: self.limits.maxHeader)),
                HTTP2Setting(parameter: .initialWindowSize, value: Self.http2WindowSize),
            ]
            connectionConfiguration.targetWindowSize = Self.http2ConnectionWindowSize
            // Enough CONTINUATION frames for a block up to the decoding limit at the default 16 KiB frame size, so
            // that such a block gets its 431; a flood of more (or of tiny ones) still ends the connection.
            connectionConfiguration.maximumSequentialContinuationFrames =
                Self.http2HeaderListDecodingLimit(maxHeader: self.limits.maxHeader) / (16 << 10) + 1
            var streamConfiguration = NIOHTTP2Handler.StreamConfiguration()
            streamConfiguration.targetWindowSize = Self.http2WindowSize
            streamConfiguration.outboundBufferSizeHighWatermark = Self.http2WindowSize
            streamConfiguration.outboundBufferSizeLowWatermark = Self.http2WindowSize / 2
            let shared = self.shared
            let shutdown = HTTP2GracefulShutdown()
            let boundShutdown = NIOLoopBound(shutdown, eventLoop: channel.eventLoop)
            try sync.addHandler(FlushCoalescer())
            _ = try sync.configureHTTP2Pipeline(
                mode: .server,
                connectionConfiguration: connectionConfiguration,
                streamConfiguration: streamConfiguration
            ) { stream in
                stream.eventLoop.makeCompletedFuture {
                    boundShutdown.value.streamOpened(stream)
                    try stream.pipeline.syncOperations.addHandler(HTTP2EndStreamCoalescer())
                    try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                    try stream.pipeline.syncOperations.addHandler(
                        ProxyRequestHandler(shared: shared, client: client, timeouts: nil)
                    )
                }
            }
            try sync.addHandler(shutdown)
        } else {
            var decoderLimits = NIOHTTPDecoderLimitConfiguration()
            decoderLimits.maxHeaderFieldSize = self.limits.maxHeader
            decoderLimits.maxHeaderListSize = self.limits.maxHeader
            try sync.configureHTTPServerPipeline(
                withPipeliningAssistance: true,
                withErrorHandling: false,
                withOutboundHeaderValidation: true,
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: decoderLimits
            )
            try sync.addHandler(ProxyRequestHandler(shared: self.shared, client: client, timeouts: timeouts))
        }
    }

    private func clientConnection(_ channel: any Channel) throws -> ClientConnection {
        let tls = try channel.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
        let certificate = try tls.peerCertificate.map { try $0.toDERBytes() }
        let identity = try certificate.map { try PeerIdentity(derBytes: $0) }
        if let certificate, let identity { self.shared.seenClients?.record(sha256: identity.certificateSHA256, derBytes: certificate) }
        return ClientConnection(
            identity: identity,
            identityHeaderValue: identity.map { ForwardedClientCertificate.headerValue(for: $0, serverURI: self.serverURI) },
            remoteIP: channel.remoteAddress?.ipAddress,
            remoteAddress: channel.remoteAddress?.hostAndPort,
            handshakeTrust: self.trust
        )
    }
}

extension SocketAddress {
    /// `host:port` (`[v6]:port`) as people write it.
    var hostAndPort: String {
        let host = self.ipAddress ?? "?"
        let port = self.port ?? 0
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
