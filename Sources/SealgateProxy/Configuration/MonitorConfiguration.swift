import Foundation
import SealgateCertificates

/// Certificate expiry monitoring: thresholds, how often to look, extra files and where alerts go.
public struct MonitorConfiguration: Sendable {
    /// Warn when a certificate has this long left (30, 14 and 7 days by default).
    public var thresholds: ExpiryThresholds = .default
    /// Time between two looks at every certificate.
    public var interval: Duration = .seconds(3600)
    /// A firing alert is sent again after this long at the same threshold.
    public var repeatInterval: Duration = .days(1)
    /// Glob patterns of more PEM files to watch besides those in use.
    public var watch: [String] = []
    /// Webhooks that receive the alerts (the log always does).
    public var webhooks: [Webhook] = []
    /// Labels added to every Alertmanager alert (`monitor.labels`); by default `instance: <host name>`.
    public var labels: [String: String] = ["instance": ProcessInfo.processInfo.hostName]
    /// The `generatorURL` of Alertmanager alerts: the admin listener's `/certs`, if there is one.
    public var generatorURL: String?

    public init() {}

    /// A webhook receiving alerts in one format.
    public struct Webhook: Sendable, Hashable {
        public var url: String
        public var format: AlertFormat

        public init(url: String, format: AlertFormat) {
            self.url = url
            self.format = format
        }
    }
}
