import Testing
import SealgateTestSupport

extension PrometheusRulesTests {
    @Test("a CRL past its nextUpdate raises SealgateCRLPastNextUpdate after 5 minutes")
    func staleCRLAlert() async throws {
        // nextUpdate at 5 minutes after the epoch promtool starts from: stale from then, firing 5 minutes later.
        let output = try await Self.promtool("""
              - interval: 1m
                input_series:
                  - series: 'sealgate_crl_next_update_timestamp_seconds{path="tls/crl.pem",issuer="CN=CA"}'
                    values: '300x20'
                alert_rule_test:
                  - eval_time: 6m
                    alertname: SealgateCRLPastNextUpdate
                    exp_alerts: []
                  - eval_time: 12m
                    alertname: SealgateCRLPastNextUpdate
                    exp_alerts:
                      - exp_labels: {severity: critical, path: tls/crl.pem, issuer: "CN=CA"}
                        exp_annotations:
                          summary: "The CRL in tls/crl.pem is past its nextUpdate"
                          description: "The CRL of CN=CA is stale: publish a new one to that file (sealgate reloads it). With crl_stale: refuse, new handshakes with certificates of that CA fail."
            """)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
    }
}
