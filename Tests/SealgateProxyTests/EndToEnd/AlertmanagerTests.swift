import Foundation
import SealgateTestSupport
import Testing

extension EndToEndTests.CertificateMonitor {
    /// sealgate's expiry alerts in a real Alertmanager, with its `resolve_timeout` shortened to 3 s (the logic is not).
    @Suite("Expiry alerts in a real Alertmanager", .serialized, .requires("prometheus-alertmanager", "curl"))
    struct RealAlertmanager {
        @Test("a firing expiry alert stays active well past resolve_timeout, and resolves only once the certificate is renewed")
        func staysActiveUntilRenewed() async throws {
            let alertmanager = try await AlertmanagerServer(resolveTimeout: "3s")
            defer { alertmanager.stop() }
            let configuration = EndToEndTests.CertificateMonitor.configuration(alerts: [
                "{type: webhook, url: \"\(alertmanager.alertsURL)\", format: alertmanager}"
            ])
            let prepare: (URL) throws -> Void = { directory in
                try EndToEndTests.CertificateMonitor.writeWatched("five-days", daysLeft: 5, startsIn: -10, in: directory)
            }
            try await ProxyHarness.with(configuration: configuration, prepare: prepare) { harness in
                let subject = "CN=five-days,O=sealgate development"
                func active() async throws -> Bool {
                    try await alertmanager.alerts().contains { ($0["labels"] as? [String: String])?["subject"] == subject }
                }
                #expect(try await EndToEndTests.CertificateMonitor.eventually { try await active() })
                // Three resolve_timeouts later: still active, because sealgate keeps posting it with endsAt ahead.
                try await Task.sleep(for: .seconds(9))
                #expect(try await active(), "the alert was resolved while the certificate still expires in 5 days")
                // Renewed: sealgate ends the alert (endsAt now), and Alertmanager resolves it.
                try EndToEndTests.CertificateMonitor.writeWatched("five-days", daysLeft: 300, startsIn: -1, in: harness.directory)
                #expect(try await EndToEndTests.CertificateMonitor.eventually { try await !active() })
            }
        }
    }
}
