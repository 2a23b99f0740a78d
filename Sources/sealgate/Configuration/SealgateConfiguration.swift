import Logging
import SealgateProxy

/// The whole configuration file: the proxy's part plus what the CLI itself uses.
struct SealgateConfiguration: Sendable {
    var proxy: ProxyConfiguration
    var logLevel: Logger.Level
    /// `stderr` or a file path for the audit log.
    var audit: String
    var keys: KeysSettings?
    var monitor: MonitorSettings
    /// Problems that do not stop sealgate, such as overlapping rules.
    var warnings: [ConfigProblem] = []

    /// Where keys live (used by the key commands and field encryption).
    struct KeysSettings: Sendable {
        var vaultPath: String
        var kekProvider: String
        var kekPath: String?
    }

    /// Certificate expiry monitoring settings.
    struct MonitorSettings: Sendable {
        var thresholds: [Duration] = [.seconds(30 * 86400), .seconds(14 * 86400), .seconds(7 * 86400)]
        var interval: Duration = .seconds(3600)
        var repeatInterval: Duration = .seconds(86400)
        var watch: [String] = []
        var alerts: [Alert] = []

        struct Alert: Sendable {
            var url: String
            var format: Format
        }

        enum Format: String, Sendable, CaseIterable {
            case alertmanager, slack, json
        }
    }
}
