import SealgateCertificates
import Testing

@testable import SealgateProxy

@Suite("Webhook URLs in the log")
struct WebhookURLTests {
    @Test("logged without user, password, query, fragment, and without a Slack webhook's token", arguments: [
        ("https://alice:s3cret@alertmanager.internal:9093/api/v2/alerts?x=1#f", AlertFormat.alertmanager, "https://alertmanager.internal:9093/api/v2/alerts"),
        ("https://hooks.slack.com/services/T000/B000/XXXXSECRET", .slack, "https://hooks.slack.com/services/redacted"),
        ("http://127.0.0.1:8080/hooks/json", .json, "http://127.0.0.1:8080/hooks/json"),
    ])
    func loggable(url: String, format: AlertFormat, logged: String) {
        #expect(WebhookNotifier.loggable(MonitorConfiguration.Webhook(url: url, format: format)) == logged)
    }
}
