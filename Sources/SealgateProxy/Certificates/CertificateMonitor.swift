import Foundation
import Logging
import SealgateCertificates
import ServiceLifecycle

/// Watches every certificate sealgate depends on: the served chain and client CA bundle, the
/// backend's CA and client certificate, the `monitor.watch` files and the client certificates
/// seen in handshakes. Each look (at start, every `interval` and after each certificate reload)
/// updates readiness and sends the alerts that ``ExpiryAlertTracker`` decides: to the log always,
/// and to the webhooks. Between looks, every firing alert is posted to Alertmanager again at least
/// once a minute. The expiry metrics are set at each scrape (``updateMetrics()``).
public actor CertificateMonitor: Service {
    private let configuration: MonitorConfiguration
    private let serverTLS: ReloadableTLS
    private let upstreamTLS: ReloadableTLS?
    private let seenClients: SeenClientCertificates
    private let notifier: WebhookNotifier?
    private let readiness: Readiness
    private let logger: Logger
    private let now: @Sendable () -> Date
    private let gauges = CertificateGauges()
    private var tracker: ExpiryAlertTracker
    private let scanRequests: AsyncStream<Void>
    private let scanRequestContinuation: AsyncStream<Void>.Continuation

    /// - Parameters:
    ///   - configuration: thresholds, interval, repeat interval and watched files.
    ///   - serverTLS: the listener's certificates as currently served.
    ///   - upstreamTLS: the backend's TLS material, if it is HTTPS.
    ///   - seenClients: the client certificates seen in handshakes.
    ///   - notifier: the webhooks, if any are configured.
    ///   - readiness: blocked with `server_certificate_expired` while the served leaf is expired or not yet valid.
    ///   - logger: receives every alert.
    ///   - now: the clock.
    public init(
        configuration: MonitorConfiguration,
        serverTLS: ReloadableTLS,
        upstreamTLS: ReloadableTLS?,
        seenClients: SeenClientCertificates,
        notifier: WebhookNotifier?,
        readiness: Readiness,
        logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.configuration = configuration
        self.serverTLS = serverTLS
        self.upstreamTLS = upstreamTLS
        self.seenClients = seenClients
        self.notifier = notifier
        self.readiness = readiness
        self.logger = logger
        self.now = now
        self.tracker = ExpiryAlertTracker(repeatInterval: configuration.repeatInterval)
        (self.scanRequests, self.scanRequestContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a look soon, such as after a certificate reload; returns at once.
    public nonisolated func requestScan() {
        self.scanRequestContinuation.yield()
    }

    /// Alertmanager is told about firing alerts at least this often, between looks too.
    static let repostInterval: Duration = .seconds(60)

    /// Firing alerts go to Alertmanager every tick; the certificates are looked at every interval.
    private var tick: Duration { min(self.configuration.interval, Self.repostInterval) }

    public func run() async throws {
        let tick = self.tick
        await runUntilShutdown(reactingTo: self.scanRequests, { await self.scan() }) {
            await self.scan()
            var sinceScan = Duration.zero
            while true {
                try await Task.sleep(for: tick)
                sinceScan += tick
                if sinceScan >= self.configuration.interval {
                    sinceScan = .zero
                    await self.scan()
                } else {
                    await self.repost()
                }
            }
        }
    }

    /// Every watched certificate with its state now: the `/certs` document.
    public func report() -> CertificateReport {
        CertificateReport(certificates: self.statuses(logProblems: false).statuses)
    }

    /// Sets the certificate gauges to every watched certificate as it is now; called before each scrape,
    /// so that `expires_in_seconds` is current and a client certificate just seen is there.
    public func updateMetrics() {
        let (statuses, unreadable) = self.statuses(logProblems: false)
        self.gauges.update(statuses, unreadable: unreadable)
    }

    private func scan() {
        let statuses = self.statuses(logProblems: true).statuses
        let leaf = statuses.first { $0.certificate.role == .server }
        if let leaf, leaf.assessment.state == .expired || leaf.assessment.state == .notYetValid {
            self.readiness.block("server_certificate_expired")
        } else {
            self.readiness.unblock("server_certificate_expired")
        }
        let now = self.now()
        let alerts = self.tracker.update(statuses, at: now)
        for alert in alerts { self.log(alert) }
        self.notifier?.deliver(alerts, firing: self.tracker.firing, post: self.alertmanagerPost, at: now)
    }

    /// Tells Alertmanager again about every firing alert, so that it does not time them out.
    private func repost() {
        self.notifier?.deliver([], firing: self.tracker.firing, post: self.alertmanagerPost, at: self.now())
    }

    /// Alerts end four ticks after each post unless posted again, as Prometheus does with its resend delay.
    private var alertmanagerPost: AlertmanagerPost {
        AlertmanagerPost(labels: self.configuration.labels, generatorURL: self.configuration.generatorURL, endsIn: self.tick * 4)
    }

    /// Every certificate's status, and the paths of the watched files that could not be read.
    private func statuses(logProblems: Bool) -> (statuses: [CertificateStatus], unreadable: [String]) {
        let now = self.now()
        let watched = self.watchedCertificates(logProblems: logProblems)
        let certificates = self.serverTLS.loaded.certificates + (self.upstreamTLS?.loaded.certificates ?? [])
            + watched.certificates + self.seenClients.certificates
        return (certificates.map { CertificateStatus($0, thresholds: self.configuration.thresholds, at: now) }, watched.unreadable)
    }

    private func watchedCertificates(logProblems: Bool) -> (certificates: [WatchedCertificate], unreadable: [String]) {
        var certificates: [WatchedCertificate] = []
        var unreadable: [String] = []
        for pattern in self.configuration.watch {
            let paths = Glob.paths(matching: pattern)
            if paths.isEmpty, logProblems {
                self.logger.warning("no file matches a monitor.watch pattern", metadata: ["pattern": "\(pattern)"])
            }
            for path in paths {
                do {
                    certificates += try WatchedCertificate.all(in: try CertificateBundle(path: path), role: .watched)
                } catch {
                    unreadable.append(path)
                    if logProblems { self.logger.error("watched certificate file unreadable", metadata: ["path": "\(path)", "error": "\(error)"]) }
                }
            }
        }
        return (certificates, unreadable)
    }

    private func log(_ alert: ExpiryAlert) {
        let status = alert.status
        let summary = status.certificate.summary
        var metadata: Logger.Metadata = [
            "alertname": "\(alert.name)", "event": "\(alert.event.rawValue)", "role": "\(status.certificate.role.rawValue)",
            "subject": "\(summary.subject)", "serial": "\(summary.serial)", "not_after": "\(summary.notAfter.rfc3339)",
            "state": "\(status.assessment.state.rawValue)",
        ]
        if let path = status.certificate.path { metadata["path"] = "\(path)" }
        if let threshold = status.assessment.threshold { metadata["threshold"] = "\(threshold.configurationText)" }
        switch (alert.event, status.assessment.severity) {
        case (.resolved, _): self.logger.info("certificate alert resolved: \(alert.summary)", metadata: metadata)
        case (.firing, .critical): self.logger.error("\(alert.summary)", metadata: metadata)
        case (.firing, _): self.logger.warning("\(alert.summary)", metadata: metadata)
        }
    }
}
