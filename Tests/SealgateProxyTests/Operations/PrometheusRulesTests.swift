import Foundation
import Testing
import SealgateTestSupport

/// The shipped Prometheus rule file, evaluated by `promtool test rules` over scraped series.
@Suite("Prometheus alert rules", .requires("promtool"))
struct PrometheusRulesTests {
    static let rulesFile = TestEnvironment.testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/prometheus/sealgate-rules.yaml").path

    /// Runs `promtool test rules` on `tests` (the `tests:` list of a promtool unit test file).
    static func promtool(_ tests: String) async throws -> ProcessOutput {
        let directory = try TestEnvironment.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("sealgate-rules-test.yaml")
        try """
            rule_files: ["\(Self.rulesFile)"]
            evaluation_interval: 1m
            tests:
            \(tests)
            """.write(to: file, atomically: true, encoding: .utf8)
        return try await runProcess("promtool", ["test", "rules", file.path])
    }

    @Test("promtool check rules accepts the rule file")
    func rulesAreValid() async throws {
        let output = try await runProcess("promtool", ["check", "rules", Self.rulesFile])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
    }

    /// Each failure counter as sealgate exports it: at 0 from start, the first failure in the fourth minute.
    @Test("the reload and webhook failure alerts fire on the first failure")
    func failureAlertsFireOnTheFirstFailure() async throws {
        let output = try await Self.promtool("""
              - interval: 1m
                input_series:
                  - series: 'sealgate_certificate_reloads_total{result="failure",pod="sealgate-0"}'
                    values: '0 0 0 1 1 1'
                  - series: 'sealgate_key_reloads_total{result="failure",pod="sealgate-0"}'
                    values: '0 0 0 1 1 1'
                  - series: 'sealgate_alert_notifications_total{format="slack",result="failure",pod="sealgate-0"}'
                    values: '0 0 0 1 1 1'
                alert_rule_test:
                  - eval_time: 2m
                    alertname: SealgateCertificateReloadFailed
                    exp_alerts: []
                  - eval_time: 4m
                    alertname: SealgateCertificateReloadFailed
                    exp_alerts:
                      - exp_labels: {severity: warning, result: failure, pod: sealgate-0}
                        exp_annotations:
                          summary: "sealgate sealgate-0 refused a new certificate or key"
                          description: "A replaced certificate, key or CA bundle did not load (unparsable, key does not match, missing). sealgate keeps serving the previous one; see its log."
                  - eval_time: 4m
                    alertname: SealgateKeyReloadFailed
                    exp_alerts:
                      - exp_labels: {severity: warning, result: failure, pod: sealgate-0}
                        exp_annotations:
                          summary: "sealgate sealgate-0 could not reload its keys"
                          description: "The key vault or KEK changed but did not load (wrong KEK, damaged file, half-applied rotation). sealgate keeps the previous keys; new primary keys are not in use."
                  - eval_time: 4m
                    alertname: SealgateAlertWebhookFailing
                    exp_alerts:
                      - exp_labels: {severity: warning, format: slack, result: failure, pod: sealgate-0}
                        exp_annotations:
                          summary: "sealgate sealgate-0 cannot deliver slack certificate alerts"
                          description: "Webhook deliveries failed after all retries. Expiry alerts from this Prometheus rule still work."
            """)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
    }

    /// Two replicas report a key due at 3600 (Unix time); the rule waits a day of grace, then 15 minutes.
    @Test("a key past its rotation due time by more than a day raises one alert per key")
    func keyRotationOverdue() async throws {
        let output = try await Self.promtool("""
              - interval: 1m
                input_series:
                  - series: 'sealgate_key_rotation_due_timestamp_seconds{key="pii",pod="sealgate-0"}'
                    values: '3600x1600'
                  - series: 'sealgate_key_rotation_due_timestamp_seconds{key="pii",pod="sealgate-1"}'
                    values: '3600x1600'
                  - series: 'sealgate_key_rotation_due_timestamp_seconds{key="cards",pod="sealgate-0"}'
                    values: '999999999x1600'
                alert_rule_test:
                  - eval_time: 25h
                    alertname: SealgateKeyRotationOverdue
                    exp_alerts: []
                  - eval_time: 26h
                    alertname: SealgateKeyRotationOverdue
                    exp_alerts:
                      - exp_labels: {severity: warning, key: pii}
                        exp_annotations:
                          summary: "Key pii is overdue for rotation by 1d 1h 0m 0s"
                          description: "Its primary has served past its rotation period plus a day. Check the keys rotate --due CronJob (or run sealgate keys rotate --due) and that the rotated vault reached the replicas."
            """)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
    }

    /// Why the series must exist at 0: a counter first exported at 1 gives increase() nothing to compare.
    @Test("a failure counter that appears only at its first failure does not fire the alert")
    func aSeriesBornAtOneDoesNotFire() async throws {
        let output = try await Self.promtool("""
              - interval: 1m
                input_series:
                  - series: 'sealgate_certificate_reloads_total{result="failure",pod="sealgate-0"}'
                    values: '_ _ _ 1 1 1'
                alert_rule_test:
                  - eval_time: 4m
                    alertname: SealgateCertificateReloadFailed
                    exp_alerts: []
            """)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
    }

    @Test("an expiring certificate raises the warning, then the critical alert")
    func expiryAlerts() async throws {
        // 10 days left at the start, then 6 days: warning after 5 minutes, critical once below 7 days.
        let labels = #"role="server",subject="CN=api",serial="3a1f",path="tls/tls.crt""#
        let output = try await Self.promtool("""
              - interval: 1m
                input_series:
                  - series: 'sealgate_certificate_expires_in_seconds{\(labels)}'
                    values: '864000x10 518400x10'
                alert_rule_test:
                  - eval_time: 6m
                    alertname: SealgateCertificateExpiresSoon
                    exp_alerts:
                      - exp_labels: {severity: warning, role: server, subject: "CN=api", serial: "3a1f", path: tls/tls.crt}
                        exp_annotations:
                          summary: "Certificate CN=api (server) expires in 10d 0h 0m 0s"
                          description: "Serial 3a1f in tls/tls.crt expires within 14 days. Renew it; sealgate reloads the new file without a restart."
                  - eval_time: 17m
                    alertname: SealgateCertificateExpiresSoon
                    exp_alerts:
                      - exp_labels: {severity: warning, role: server, subject: "CN=api", serial: "3a1f", path: tls/tls.crt}
                        exp_annotations:
                          summary: "Certificate CN=api (server) expires in 6d 0h 0m 0s"
                          description: "Serial 3a1f in tls/tls.crt expires within 14 days. Renew it; sealgate reloads the new file without a restart."
                      - exp_labels: {severity: critical, role: server, subject: "CN=api", serial: "3a1f", path: tls/tls.crt}
                        exp_annotations:
                          summary: "Certificate CN=api (server) expires in 6d 0h 0m 0s"
                          description: "Serial 3a1f in tls/tls.crt expires within 7 days or has expired. Renew it now."
            """)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
    }
}
