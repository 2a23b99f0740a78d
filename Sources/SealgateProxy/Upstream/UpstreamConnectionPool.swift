import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Keep-alive HTTP/1.1 connections to the backend for one event loop. Used only on that loop,
/// so exchanges and their backend connections never hop threads.
///
/// A connection idle for `upstream.idle_timeout` is closed: one sweep is scheduled while any connection is idle.
final class UpstreamConnectionPool {
    private let eventLoop: any EventLoop
    private let configuration: UpstreamConfiguration
    private let tls: ReloadableTLS?
    /// Receives refusals of the backend's certificate by the CRLs.
    private let logger: Logger
    /// Idle connections, oldest first.
    private var idle: [UpstreamHandler] = []
    private let maximumIdle: Int
    private let idleTimeout: TimeAmount
    private var sweep: Scheduled<Void>?
    /// Once closed (at shutdown), released connections are closed instead of kept.
    private var isClosed = false

    init(
        eventLoop: any EventLoop,
        configuration: UpstreamConfiguration,
        tls: ReloadableTLS?,
        logger: Logger,
        maximumIdle: Int = 256
    ) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.tls = tls
        self.logger = logger
        self.maximumIdle = maximumIdle
        self.idleTimeout = TimeAmount(configuration.idleTimeout)
    }

    /// Hands over an idle connection if one is open (`reused` true), else a new one; on this loop. The most
    /// recently used goes first, so that the oldest idle ones are those the sweep closes.
    func acquire(_ completion: @escaping (Result<(UpstreamHandler, reused: Bool), any Error>) -> Void) {
        self.eventLoop.preconditionInEventLoop()
        while let connection = self.idle.popLast() {
            if connection.isActive {
                completion(.success((connection, true)))
                return
            }
        }
        self.connect { completion($0.map { ($0, false) }) }
    }

    /// Opens a new connection and hands it over on this loop.
    func connect(_ completion: @escaping (Result<UpstreamHandler, any Error>) -> Void) {
        let loopBoundSelf = NIOLoopBound(self, eventLoop: self.eventLoop)
        // A new connection takes the current TLS material: reloaded certificates apply from here on.
        let loaded = self.tls?.loaded
        let sslContext = loaded?.context
        let check = loaded?.trust.flatMap { $0.revocations == nil ? nil : RevocationCheck(trust: $0, peer: "backend", logger: self.logger) }
        let serverHostname = self.configuration.host.isIPAddress ? nil : self.configuration.host
        ClientBootstrap(group: self.eventLoop)
            .connectTimeout(TimeAmount(self.configuration.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext, let check {
                        try sync.addHandler(
                            NIOSSLClientHandler._makeSSLClientHandler(
                                context: sslContext, serverHostname: serverHostname, additionalPeerCertificateVerificationCallback: check.verify(_:channel:)
                            )
                        )
                    } else if let sslContext {
                        try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname))
                    }
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(UpstreamHandler(pool: loopBoundSelf.value))
                }
            }
            .connect(host: self.configuration.host, port: self.configuration.port)
            .assumeIsolated()
            .whenComplete { result in
                completion(
                    result.flatMap { channel in
                        Result { try channel.pipeline.syncOperations.handler(type: UpstreamHandler.self) }
                    }
                )
            }
    }

    /// Returns a connection whose last exchange completed cleanly.
    func release(_ connection: UpstreamHandler) {
        connection.delegate = nil
        connection.setReads(open: true)
        guard connection.isActive, !self.isClosed, self.idle.count < self.maximumIdle else {
            connection.abort()
            return
        }
        connection.idleSince = self.eventLoop.now
        self.idle.append(connection)
        if self.sweep == nil { self.scheduleSweep(at: connection.idleSince + self.idleTimeout) }
    }

    /// Forgets a connection that closed.
    func discard(_ connection: UpstreamHandler) {
        self.idle.removeAll { $0 === connection }
    }

    /// Closes every idle connection and every one released from now on (shutdown).
    func close() {
        self.isClosed = true
        self.sweep?.cancel()
        self.sweep = nil
        let idle = self.idle
        self.idle.removeAll()
        for connection in idle { connection.abort() }
    }

    private func scheduleSweep(at deadline: NIODeadline) {
        self.sweep = self.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { self.closeIdleConnections() }
    }

    /// Closes the connections idle for `idle_timeout`, and schedules the next sweep for the oldest that remains.
    private func closeIdleConnections() {
        self.sweep = nil
        let expiry = self.eventLoop.now - self.idleTimeout
        let expired = self.idle.prefix { $0.idleSince <= expiry }
        self.idle.removeFirst(expired.count)
        for connection in expired { connection.abort() }
        if let oldest = self.idle.first { self.scheduleSweep(at: oldest.idleSince + self.idleTimeout) }
    }
}

@available(*, unavailable)
extension UpstreamConnectionPool: Sendable {}

/// One pool per event loop of the group, each created on first use on its own loop.
struct UpstreamPools: Sendable {
    private let pools: [ObjectIdentifier: NIOLoopBoundBox<UpstreamConnectionPool?>]
    private let configuration: UpstreamConfiguration
    private let tls: ReloadableTLS?
    private let logger: Logger

    /// - Parameter logger: receives refusals of the backend's certificate by the CRLs.
    init(group: any EventLoopGroup, configuration: UpstreamConfiguration, tls: ReloadableTLS?, logger: Logger) {
        var pools: [ObjectIdentifier: NIOLoopBoundBox<UpstreamConnectionPool?>] = [:]
        for loop in group.makeIterator() {
            pools[ObjectIdentifier(loop)] = .makeEmptyBox(valueType: UpstreamConnectionPool.self, eventLoop: loop)
        }
        self.pools = pools
        self.configuration = configuration
        self.tls = tls
        self.logger = logger
    }

    /// Closes the idle connections of every pool, and every connection released from now on (shutdown).
    func close() async {
        for box in self.pools.values {
            try? await box.eventLoop.submit { box.value?.close() }.get()
        }
    }

    /// The pool of the calling event loop.
    func pool(for eventLoop: any EventLoop) -> UpstreamConnectionPool {
        guard let box = self.pools[ObjectIdentifier(eventLoop)] else {
            preconditionFailure("no upstream pool for event loop \(eventLoop)")
        }
        if let pool = box.value { return pool }
        let pool = UpstreamConnectionPool(eventLoop: eventLoop, configuration: self.configuration, tls: self.tls, logger: self.logger)
        box.value = pool
        return pool
    }
}

extension String {
    /// Whether the string is an IPv4 or IPv6 literal (no TLS server name is sent for those).
    var isIPAddress: Bool {
        (try? SocketAddress(ipAddress: self, port: 0)) != nil
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
