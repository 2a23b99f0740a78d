import Logging
import SealgateProxy

/// The whole configuration file: the proxy's part plus what the CLI itself uses.
struct SealgateConfiguration: Sendable {
    var proxy: ProxyConfiguration
    var logLevel: Logger.Level
    /// `stderr` or a file path for the audit log.
    var audit: String
    var keys: KeysSettings?
    var monitor: MonitorConfiguration
    /// Problems that do not stop sealgate, such as overlapping rules.
    var warnings: [ConfigProblem] = []

    /// Where keys live (used by the key commands and field encryption).
    struct KeysSettings: Sendable {
        var vaultPath: String
        var kek: KEKSettings
    }
}
