import ArgumentParser
import Logging
import Metrics
import NIOPosix
import Prometheus
import SealgateCertificates
import SealgateProxy
import ServiceLifecycle
import UnixSignals

/// `sealgate run --config FILE`: runs the proxy and the admin listener until SIGTERM or SIGINT.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the proxy (the default command)."
    )

    @Option(name: .shortAndLong, help: "The configuration file (YAML).")
    var config: String

    func run() async throws {
        try await Self.run(configurationPath: self.config)
    }

    /// Loads the configuration, bootstraps logging and metrics and serves until stopped.
    /// - Parameter companions: makes, with the bootstrapped logger, the services passed to
    ///   ``serve(_:registry:logger:companions:)``.
    static func run(
        configurationPath: String,
        companions: (Logger) -> [ServiceGroupConfiguration.ServiceConfiguration] = { _ in [] }
    ) async throws {
        let configuration: SealgateConfiguration
        do {
            configuration = try ConfigFile.load(path: configurationPath)
        } catch {
            printToStandardError(error.description)
            throw ExitCode(2)
        }
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: configuration.logLevel) }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(SealgateMetricsFactory(registry: registry))
        Gauge(label: "sealgate_build_info", dimensions: [("version", SealgateVersion.current)]).record(1)
        let logger = Logger(label: "sealgate")
        for warning in configuration.warnings { logger.warning("configuration: \(warning)") }
        try await Self.serve(configuration, registry: registry, logger: logger, companions: companions(logger))
    }

    /// Builds the services and runs them in one group with graceful shutdown on SIGTERM/SIGINT.
    /// - Parameter companions: services started before the proxy and stopped after it (the demo's backend).
    static func serve(
        _ configuration: SealgateConfiguration,
        registry: PrometheusCollectorRegistry,
        logger: Logger,
        companions: [ServiceGroupConfiguration.ServiceConfiguration] = []
    ) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let readiness = Readiness()
        let metrics = ProxyMetrics()
        let keyRing = KeyRing()
        let usesKeys = configuration.proxy.routes.contains { !$0.encrypt.isEmpty }
        let keyUseAudit = usesKeys
            ? KeyUseAudit(log: try AuditLog(destination: .init(configured: configuration.audit), tool: "sealgate run"), logger: logger)
            : nil
        let serverTLS: ReloadableTLS
        let upstreamTLS: ReloadableTLS?
        do {
            serverTLS = try ReloadableTLS.server(configuration.proxy.listener)
            upstreamTLS = try ReloadableTLS.upstream(configuration.proxy.upstream)
        } catch {
            logger.critical("certificates unusable: \(error)")
            throw ExitCode.failure
        }
        let seenClients = SeenClientCertificates()
        let proxy = ProxyServer(
            configuration: configuration.proxy,
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
        let notifier = configuration.monitor.webhooks.isEmpty
            ? nil : WebhookNotifier(webhooks: configuration.monitor.webhooks, metrics: metrics, logger: logger)
        let monitor = CertificateMonitor(
            configuration: configuration.monitor,
            serverTLS: serverTLS,
            upstreamTLS: upstreamTLS,
            seenClients: seenClients,
            notifier: notifier,
            readiness: readiness,
            logger: logger
        )
        let tlsReloader = TLSReloader(materials: [serverTLS] + (upstreamTLS.map { [$0] } ?? []), metrics: metrics, logger: logger) {
            monitor.requestScan()
        }
        var services = companions
        if let notifier { services.append(.init(service: notifier)) }
        services += [.init(service: monitor), .init(service: tlsReloader)]
        if let keyUseAudit { services.append(.init(service: keyUseAudit)) }
        if let settings = configuration.keys, usesKeys {
            let reloader = KeyReloader(
                vaultDirectory: settings.vaultPath,
                keyRing: keyRing,
                readiness: readiness,
                metrics: metrics,
                logger: logger
            ) { try await Self.loadKeys(configuration) }
            services.append(.init(service: reloader))
        }
        if let address = configuration.proxy.admin {
            let admin = AdminServer(
                address: address,
                group: group,
                readiness: readiness,
                renderMetrics: {
                    await monitor.updateMetrics()
                    return registry.emitToString() + ProcessMetrics.exposition()
                },
                renderCertificates: { await monitor.report().json() },
                logger: logger
            )
            services.append(.init(service: admin))
        }
        services.append(.init(service: proxy, successTerminationBehavior: .gracefullyShutdownGroup))
        let serviceGroup = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await serviceGroup.run()
        logger.info("stopped")
    }

    /// Unwraps the keys that the routes' field rules name from the vault.
    static func loadKeys(_ configuration: SealgateConfiguration) async throws -> FieldKeys {
        let names = Set(configuration.proxy.routes.flatMap { $0.encrypt.map(\.key) })
        guard let settings = configuration.keys else { return FieldKeys() }
        return try await FieldKeys.load(names: names, from: settings)
    }
}
