import ArgumentParser
import Logging
import Metrics
import Prometheus
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
        let proxy: ProxyServices
        do {
            proxy = try ProxyServices(
                configuration: configuration.proxy,
                monitor: configuration.monitor,
                keys: configuration.keys.map { settings in
                    ProxyServices.Keys(vaultPath: settings.vaultPath) { try await Self.loadKeys(configuration) }
                },
                audit: AuditLog.Destination(configured: configuration.audit),
                renderMetrics: { registry.emitToString() + ProcessMetrics.exposition() },
                logger: logger
            )
        } catch let error as AuditLogError {
            throw error
        } catch {
            logger.critical("certificates unusable: \(error)")
            throw ExitCode.failure
        }
        do {
            try await proxy.bind()
        } catch {
            logger.critical("cannot listen", metadata: ["listener": "\(error.listener)", "address": "\(error.address)", "reason": "\(error.reason)"])
            throw ExitCode.failure
        }
        let serviceGroup = ServiceGroup(
            configuration: .init(services: companions + proxy.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await serviceGroup.run()
        logger.info("stopped")
    }

    /// Unwraps the keys that the routes' field rules name from the vault.
    static func loadKeys(_ configuration: SealgateConfiguration) async throws -> FieldKeys {
        let names = Set(configuration.proxy.routes.flatMap { $0.encrypt.map(\.key) })
        guard let settings = configuration.keys else { return FieldKeys() }
        return try await FieldKeys.load(rulesKeys: names, from: settings)
    }
}
