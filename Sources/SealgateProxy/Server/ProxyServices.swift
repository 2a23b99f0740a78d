#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import NIOPosix
import SealgateCertificates
import ServiceLifecycle

/// The whole running proxy built from one configuration, as the services of one `ServiceGroup`: the certificate
/// monitor and its webhooks, the TLS and key reloaders, the key-use audit, the admin listener and, last, the
/// client-facing ``ProxyServer``. The `sealgate run` command and in-process tests run exactly these.
public struct ProxyServices: Sendable {
    /// Where the keys of the routes' field rules come from.
    public struct Keys: Sendable {
        /// The vault directory, watched for changes.
        public var vaultPath: String
        /// Unwraps the keys the field rules name.
        public var load: @Sendable () async throws -> FieldKeys

        public init(vaultPath: String, load: @escaping @Sendable () async throws -> FieldKeys) {
            self.vaultPath = vaultPath
            self.load = load
        }
    }

    /// The client-facing listener (its ``ProxyServer/localAddress`` once it listens).
    public let proxy: ProxyServer
    /// The admin listener, when the configuration has one.
    public let admin: AdminServer?
    /// What `/readyz` reports.
    public let readiness: Readiness
    /// The services in start order; a group stops them in reverse. The proxy's successful end shuts the group down.
    public let services: [ServiceGroupConfiguration.ServiceConfiguration]

    /// Opens the listeners' sockets, the proxy's first, so that a taken address stops sealgate before any service
    /// starts (the services then serve these sockets).
    /// - Throws: ``ListenError`` naming the listener.
    public func bind() async throws(ListenError) {
        try await self.proxy.bind()
        try await self.admin?.bind()
    }

    /// Builds the services.
    /// - Parameters:
    ///   - configuration: the proxy's validated configuration.
    ///   - monitor: expiry monitoring and alerts.
    ///   - keys: the key vault, when routes have field rules.
    ///   - audit: where key use is audited (when routes have field rules).
    ///   - renderMetrics: renders `/metrics`, after the certificate gauges are set to the certificates as they are then.
    ///   - ticketKeyRotation: how often the session ticket keys of the listener rotate without a reload.
    ///   - group: the event loops to serve on.
    ///   - logger: receives the access log and operational messages.
    /// - Throws: when the served certificates or the audit log cannot be opened.
    public init(
        configuration: ProxyConfiguration,
        monitor monitorConfiguration: MonitorConfiguration = MonitorConfiguration(),
        keys: Keys? = nil,
        audit: AuditLog.Destination = .standardError,
        renderMetrics: @escaping @Sendable () -> String = { "" },
        ticketKeyRotation: Duration = .seconds(3600),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) throws {
        let readiness = Readiness()
        let metrics = ProxyMetrics()
        let keyRing = KeyRing()
        let usesKeys = configuration.routes.contains { !$0.encrypt.isEmpty }
        let keyUseAudit = usesKeys ? KeyUseAudit(log: try AuditLog(destination: audit, tool: "sealgate run"), logger: logger) : nil
        let serverTLS = try ReloadableTLS.server(configuration.listener)
        let upstreamTLS = try ReloadableTLS.upstream(configuration.upstream)
        let seenClients = SeenClientCertificates()
        let proxy = ProxyServer(
            configuration: configuration,
            serverTLS: serverTLS,
            upstreamTLS: upstreamTLS,
            seenClients: seenClients,
            group: group,
            metrics: metrics,
            readiness: readiness,
            logger: logger,
            keyRing: keyRing,
            keyUseAudit: keyUseAudit
        )
        let notifier = monitorConfiguration.webhooks.isEmpty
            ? nil : WebhookNotifier(webhooks: monitorConfiguration.webhooks, metrics: metrics, logger: logger)
        let monitor = CertificateMonitor(
            configuration: monitorConfiguration,
            serverTLS: serverTLS,
            upstreamTLS: upstreamTLS,
            seenClients: seenClients,
            notifier: notifier,
            readiness: readiness,
            logger: logger
        )
        let tlsReloader = TLSReloader(
            materials: [serverTLS] + (upstreamTLS.map { [$0] } ?? []),
            metrics: metrics,
            logger: logger,
            ticketKeyRotation: ticketKeyRotation
        ) {
            monitor.requestScan()
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let notifier { services.append(.init(service: notifier)) }
        services += [.init(service: monitor), .init(service: tlsReloader)]
        if let keyUseAudit { services.append(.init(service: keyUseAudit)) }
        if let health = configuration.upstream.health {
            let check = UpstreamHealthCheck(
                health: health,
                upstream: configuration.upstream,
                tls: upstreamTLS,
                group: group,
                readiness: readiness,
                logger: logger
            )
            services.append(.init(service: check))
        }
        if let keys, usesKeys {
            let reloader = KeyReloader(vaultDirectory: keys.vaultPath, keyRing: keyRing, readiness: readiness, metrics: metrics, logger: logger) {
                try await keys.load()
            }
            services.append(.init(service: reloader))
        }
        var adminServer: AdminServer?
        if let address = configuration.admin {
            let admin = AdminServer(
                address: address,
                group: group,
                readiness: readiness,
                renderMetrics: {
                    // The certificate gauges and the key ages are computed at each scrape.
                    await monitor.updateMetrics()
                    return renderMetrics() + KeyRotationMetrics.exposition(keyRing.current, at: Date())
                },
                renderCertificates: { await monitor.report().json() },
                logger: logger
            )
            services.append(.init(service: admin))
            adminServer = admin
        }
        services.append(.init(service: proxy, successTerminationBehavior: .gracefullyShutdownGroup))
        self.proxy = proxy
        self.admin = adminServer
        self.readiness = readiness
        self.services = services
    }
}
