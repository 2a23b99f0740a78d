import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Aggregates the proxy's key use per key, client identity and operation, and writes one
/// `key.used` audit line per combination each minute (and at shutdown). Never a value.
public final class KeyUseAudit: Service, Sendable {
    private struct Use: Hashable {
        var key: String
        var identity: String
        var operation: String
    }

    private struct Window {
        var since = Date()
        var counts: [Use: Int] = [:]
    }

    private let log: AuditLog
    private let logger: Logger
    private let window = NIOLockedValueBox(Window())

    /// - Parameters:
    ///   - log: where the lines go (`log.audit`).
    ///   - logger: reports a failing audit log.
    public init(log: AuditLog, logger: Logger) {
        self.log = log
        self.logger = logger
    }

    /// Counts fields a client had encrypted or decrypted with a key.
    func record(key: String, identity: String, operation: String, count: Int) {
        self.window.withLockedValue { $0.counts[Use(key: key, identity: identity, operation: operation), default: 0] += count }
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: .seconds(60))
                self.flush()
            }
        }
        self.flush()
    }

    /// Writes the current window's lines and starts a new window.
    func flush() {
        let window = self.window.withLockedValue { window in
            defer { window = Window() }
            return window
        }
        for (use, count) in window.counts.sorted(by: { ($0.key.key, $0.key.identity) < ($1.key.key, $1.key.identity) }) {
            var event = AuditEvent(.keyUsed, key: use.key)
            event.identity = use.identity
            event.operation = use.operation
            event.count = count
            event.since = window.since
            do {
                try self.log.record(event)
            } catch {
                self.logger.error("the audit log cannot be written", metadata: ["error": "\(error)"])
            }
        }
    }
}
