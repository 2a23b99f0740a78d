import Logging
import SealgateCertificates
import ServiceLifecycle

/// Reloads certificates and keys without dropping connections: whenever a file of a
/// ``ReloadableTLS`` changes (polled, following symlinks) and on SIGHUP. A broken replacement
/// (unparsable, key not matching the certificate, missing file) is refused: the current material
/// stays in use, the error is logged and counted.
///
/// Session ticket keys rotate with every new server context: on each reload and, without one, every
/// `ticketKeyRotation`, so that a ticket resumes a session for at most that long after a rotation.
public actor TLSReloader: Service {
    private let materials: [ReloadableTLS]
    private let metrics: ProxyMetrics
    private let logger: Logger
    private let pollInterval: Duration
    private let onReload: @Sendable () -> Void
    private let ticketKeyRotation: Duration
    /// When each material last got a fresh context (and so fresh session ticket keys).
    private var lastContext: [ContinuousClock.Instant]
    /// The file signatures last tried, per material; a failed try is not repeated until the files change again.
    private var triedSignatures: [[String]]

    /// - Parameters:
    ///   - materials: the TLS material to keep current.
    ///   - metrics: counts reloads by result.
    ///   - logger: reports reloads and refusals.
    ///   - pollInterval: how often the files are checked.
    ///   - ticketKeyRotation: the longest a server context keeps its session ticket keys.
    ///   - onReload: called after each successful reload (the expiry monitor looks again).
    public init(
        materials: [ReloadableTLS],
        metrics: ProxyMetrics,
        logger: Logger,
        pollInterval: Duration = .seconds(2),
        ticketKeyRotation: Duration = .seconds(3600),
        onReload: @escaping @Sendable () -> Void = {}
    ) {
        self.materials = materials
        self.metrics = metrics
        self.logger = logger
        self.pollInterval = pollInterval
        self.onReload = onReload
        self.ticketKeyRotation = ticketKeyRotation
        self.lastContext = materials.map { _ in .now }
        self.triedSignatures = materials.map { FileSignature.of(files: $0.files) }
    }

    public func run() async throws {
        await runUntilShutdown(reactingTo: await hangups(), { await self.reloadAll(reason: "SIGHUP") }) {
            while true {
                try await Task.sleep(for: min(self.pollInterval, self.ticketKeyRotation))
                await self.reloadChanged()
                await self.rotateDueTicketKeys()
            }
        }
    }

    private func reloadAll(reason: String) {
        for index in self.materials.indices { self.reload(index, reason: reason) }
    }

    private func reloadChanged() async {
        var changed = self.materials.indices.filter { FileSignature.of(files: self.materials[$0].files) != self.triedSignatures[$0] }
        guard !changed.isEmpty else { return }
        // A renewal writes a certificate and its key one after the other: let the writer finish.
        try? await Task.sleep(for: .milliseconds(200))
        changed = self.materials.indices.filter { FileSignature.of(files: self.materials[$0].files) != self.triedSignatures[$0] }
        for index in changed { self.reload(index, reason: "files changed") }
    }

    private func rotateDueTicketKeys() {
        for index in self.materials.indices where self.materials[index].issuesSessionTickets {
            guard ContinuousClock.now - self.lastContext[index] >= self.ticketKeyRotation else { continue }
            do {
                try self.materials[index].rotateSessionTicketKeys()
                self.lastContext[index] = .now
                self.logger.debug("session ticket keys rotated", metadata: ["tls": "\(self.materials[index].name)"])
            } catch {
                self.logger.error(
                    "session ticket keys not rotated",
                    metadata: ["tls": "\(self.materials[index].name)", "error": "\(error)"]
                )
            }
        }
    }

    private func reload(_ index: Int, reason: String) {
        let material = self.materials[index]
        self.triedSignatures[index] = FileSignature.of(files: material.files)
        do {
            try material.reload()
            self.lastContext[index] = .now
            self.metrics.certificatesReloaded(success: true)
            let leaf = material.loaded.certificates.first?.summary
            self.logger.info(
                "certificates reloaded",
                metadata: [
                    "tls": "\(material.name)", "reason": "\(reason)",
                    "subject": "\(leaf?.subject ?? "-")", "serial": "\(leaf?.serial ?? "-")",
                    "not_after": "\(leaf?.notAfter.rfc3339 ?? "-")",
                ]
            )
            self.onReload()
        } catch {
            self.metrics.certificatesReloaded(success: false)
            self.logger.error(
                "certificates not reloaded: keeping the ones in use",
                metadata: ["tls": "\(material.name)", "reason": "\(reason)", "error": "\(error)"]
            )
        }
    }
}
