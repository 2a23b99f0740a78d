import Foundation
import SealgateCertificates
import Testing

private let day: TimeInterval = 86_400
private let epoch = Date(timeIntervalSince1970: 1_800_000_000)

/// A watched certificate valid from `notBefore` to `notAfter`, days relative to `epoch`.
private func certificate(
    _ name: String,
    notBefore: Double = -100,
    notAfter: Double,
    role: CertificateRole = .watched,
    path: String? = "/etc/certs/x.pem",
    fingerprint: String? = nil
) -> WatchedCertificate {
    let summary = CertificateSummary(
        subject: "CN=\(name)",
        issuer: "CN=CA",
        serial: "0a\(name.utf8.count)",
        sha256: fingerprint ?? String(repeating: "ab", count: 32) + name,
        uris: [],
        dnsNames: [],
        ipAddresses: [],
        notBefore: epoch + notBefore * day,
        notAfter: epoch + notAfter * day
    )
    return WatchedCertificate(role: role, path: path, summary: summary)
}

@Suite("Expiry thresholds")
struct ExpiryThresholdTests {
    let thresholds = ExpiryThresholds.default

    @Test(
        "states, crossed thresholds and severities",
        arguments: [
            (100.0, CertificateState.ok, nil as String?, AlertSeverity.none),
            (30.5, .ok, nil, .none),
            (30.0, .warning, "30d", .warning),
            (20.0, .warning, "30d", .warning),
            (14.0, .warning, "14d", .warning),
            (7.5, .warning, "14d", .warning),
            (5.0, .warning, "7d", .critical),
            (0.25, .warning, "7d", .critical),
            (0.0, .expired, "7d", .critical),
            (-3.0, .expired, "7d", .critical),
        ]
    )
    func states(daysLeft: Double, state: CertificateState, threshold: String?, severity: AlertSeverity) {
        let assessment = self.thresholds.assess(notBefore: epoch - 100 * day, notAfter: epoch + daysLeft * day, at: epoch)
        #expect(assessment.state == state)
        #expect(assessment.threshold?.configurationText == threshold)
        #expect(assessment.severity == severity)
        #expect(assessment.expiresIn == .seconds(daysLeft * day))
    }

    @Test("a certificate before its start is not yet valid, and critical")
    func notYetValid() {
        let assessment = self.thresholds.assess(notBefore: epoch + 1, notAfter: epoch + 400 * day, at: epoch)
        #expect(assessment.state == .notYetValid)
        #expect(assessment.severity == .critical)
        #expect(assessment.threshold == nil)
    }

    @Test("thresholds are sorted, deduplicated and positive")
    func normalized() {
        let thresholds = ExpiryThresholds([.days(7), .days(30), .days(7), .zero, .days(14)])
        #expect(thresholds.thresholds == [.days(30), .days(14), .days(7)])
    }

    @Test("durations print in the configuration's notation", arguments: [
        (Duration.days(7), "7d"), (.seconds(3600 * 12), "12h"), (.seconds(90), "90s"), (.seconds(120), "2m"), (.milliseconds(1500), "1500ms"),
    ])
    func configurationText(duration: Duration, text: String) {
        #expect(duration.configurationText == text)
    }
}

@Suite("Expiry alerts")
struct ExpiryAlertTrackerTests {
    let thresholds = ExpiryThresholds.default

    func statuses(_ certificates: [WatchedCertificate], at now: Date) -> [CertificateStatus] {
        certificates.map { CertificateStatus($0, thresholds: self.thresholds, at: now) }
    }

    @Test("one alert per threshold crossed, none in between, as days pass")
    func thresholdCrossings() {
        var tracker = ExpiryAlertTracker(repeatInterval: .days(100))
        let expiring = certificate("expiring", notAfter: 40)
        var fired: [(day: Int, name: String, threshold: String?)] = []
        // One look every hour for 45 days: from 40 days left to 5 days past expiry.
        for hour in 0...(45 * 24) {
            let now = epoch + Double(hour) * 3600
            for alert in tracker.update(self.statuses([expiring], at: now), at: now) {
                #expect(alert.event == .firing)
                fired.append((hour / 24, alert.name, alert.status.assessment.threshold?.configurationText))
            }
        }
        #expect(fired.map(\.day) == [10, 26, 33, 40])
        #expect(fired.map(\.threshold) == ["30d", "14d", "7d", "7d"])
        #expect(fired.map(\.name) == [
            "SealgateCertificateExpiring", "SealgateCertificateExpiring", "SealgateCertificateExpiring", "SealgateCertificateExpired",
        ])
    }

    @Test("a firing alert repeats after the repeat interval, keeping its start")
    func repeats() throws {
        var tracker = ExpiryAlertTracker(repeatInterval: .seconds(3600))
        let expiring = certificate("soon", notAfter: 20)
        let first = tracker.update(self.statuses([expiring], at: epoch), at: epoch)
        #expect(first.count == 1)
        #expect(tracker.update(self.statuses([expiring], at: epoch + 3599), at: epoch + 3599).isEmpty)
        let repeated = tracker.update(self.statuses([expiring], at: epoch + 3600), at: epoch + 3600)
        #expect(repeated.count == 1)
        #expect(try #require(repeated.first).startsAt == epoch)
        #expect(tracker.update(self.statuses([expiring], at: epoch + 3700), at: epoch + 3700).isEmpty)
    }

    @Test("renewal (a new certificate in the same file) resolves the old one's alert")
    func renewalResolves() throws {
        var tracker = ExpiryAlertTracker(repeatInterval: .days(1))
        let old = certificate("server", notAfter: 5, role: .server, fingerprint: "old")
        let renewed = certificate("server", notAfter: 90, role: .server, fingerprint: "new")
        #expect(tracker.update(self.statuses([old], at: epoch), at: epoch).map(\.event) == [.firing])
        let later = epoch + 60
        let alerts = tracker.update(self.statuses([renewed], at: later), at: later)
        let resolve = try #require(alerts.first)
        #expect(alerts.count == 1)
        #expect(resolve.event == .resolved)
        #expect(resolve.status.certificate.summary.sha256 == "old")
        #expect(resolve.startsAt == epoch)
        #expect(resolve.endsAt == later)
        #expect(resolve.certificateIsFine, "the renewed certificate in that file is ok")
        #expect(tracker.firingCount == 0)
        #expect(tracker.update(self.statuses([renewed], at: later + 60), at: later + 60).isEmpty)
    }

    @Test("the same certificate under two roles or paths is two alerts; a removed file resolves")
    func identity() {
        var tracker = ExpiryAlertTracker(repeatInterval: .days(1))
        let a = certificate("ca", notAfter: 3, role: .clientCA, path: "/a.pem", fingerprint: "same")
        let b = certificate("ca", notAfter: 3, role: .watched, path: "/b.pem", fingerprint: "same")
        #expect(tracker.update(self.statuses([a, b, a], at: epoch), at: epoch).count == 2)
        let alerts = tracker.update(self.statuses([a], at: epoch + 1), at: epoch + 1)
        #expect(alerts.map(\.event) == [.resolved])
        #expect(alerts.first?.status.certificate.path == "/b.pem")
        #expect(alerts.first?.certificateIsFine == false, "a removed file is not a fine certificate")
    }

    @Test("firing lists every alert still firing with the startsAt it first fired with, also between repeats")
    func firingKeepsStartsAt() {
        var tracker = ExpiryAlertTracker(repeatInterval: .days(1))
        let soon = certificate("soon", notAfter: 5, path: "/soon.pem")
        let later = certificate("later", notAfter: 20, path: "/later.pem")
        _ = tracker.update(self.statuses([soon], at: epoch), at: epoch)
        #expect(tracker.update(self.statuses([soon, later], at: epoch + 60), at: epoch + 60).count == 1)
        #expect(tracker.update(self.statuses([soon, later], at: epoch + 120), at: epoch + 120).isEmpty)
        let firing = tracker.firing
        #expect(firing.map(\.status.certificate.summary.subject) == ["CN=soon", "CN=later"])
        #expect(firing.map(\.startsAt) == [epoch, epoch + 60])
        #expect(firing.allSatisfy { $0.event == .firing && $0.status.assessedAt == epoch + 120 })
        // Renewed with a certificate that is itself within a threshold: a new alert, but not a fine one.
        let renewed = certificate("soon", notAfter: 6, path: "/soon.pem", fingerprint: "renewed")
        let alerts = tracker.update(self.statuses([renewed, later], at: epoch + 180), at: epoch + 180)
        #expect(alerts.map(\.event) == [.firing, .resolved])
        #expect(alerts.last?.certificateIsFine == false)
    }

    @Test("a certificate that becomes valid resolves its not-yet-valid alert")
    func becomesValid() {
        var tracker = ExpiryAlertTracker(repeatInterval: .days(1))
        let early = certificate("early", notBefore: 1, notAfter: 365)
        #expect(tracker.update(self.statuses([early], at: epoch), at: epoch).map(\.name) == ["SealgateCertificateNotYetValid"])
        let valid = epoch + 2 * day
        #expect(tracker.update(self.statuses([early], at: valid), at: valid).map(\.event) == [.resolved])
    }
}

@Suite("Alert payloads")
struct AlertFormatTests {
    func json(_ data: Data) throws -> Any { try JSONSerialization.jsonObject(with: data) }

    func alerts() -> [ExpiryAlert] {
        let thresholds = ExpiryThresholds.default
        let expiring = CertificateStatus(certificate("api", notAfter: 5, role: .server, path: "/etc/tls/server.pem"), thresholds: thresholds, at: epoch)
        let seen = CertificateStatus(certificate("client", notAfter: 20, role: .clientSeen, path: nil), thresholds: thresholds, at: epoch)
        let expired = CertificateStatus(certificate("old", notAfter: -1), thresholds: thresholds, at: epoch)
        return [
            ExpiryAlert(event: .firing, status: expiring, startsAt: epoch),
            ExpiryAlert(event: .firing, status: seen, startsAt: epoch),
            ExpiryAlert(event: .resolved, status: expired, startsAt: epoch - day, endsAt: epoch),
        ]
    }

    @Test("Alertmanager: one array with labels, annotations, startsAt, endsAt ahead while firing and at the resolve")
    func alertmanager() throws {
        let bodies = AlertFormat.alertmanager.bodies(for: self.alerts())
        #expect(bodies.count == 1)
        let array = try #require(try self.json(bodies[0]) as? [[String: Any]])
        #expect(array.count == 3)
        let labels = try #require(array[0]["labels"] as? [String: String])
        #expect(labels == [
            "alertname": "SealgateCertificateExpiring", "severity": "critical", "role": "server", "subject": "CN=api",
            "serial": "0a3", "path": "/etc/tls/server.pem", "threshold": "7d",
        ])
        let annotations = try #require(array[0]["annotations"] as? [String: String])
        #expect(annotations["summary"] == "The server certificate CN=api expires in 5 days")
        #expect(annotations["description"]?.contains("/etc/tls/server.pem") == true)
        #expect(array[0]["startsAt"] as? String == "2027-01-15T08:00:00Z")
        #expect(array[0]["endsAt"] as? String == "2027-01-15T08:04:00Z", "four minutes after the assessment")
        #expect(array[0]["generatorURL"] == nil)
        let seenLabels = try #require(array[1]["labels"] as? [String: String])
        #expect(seenLabels["path"] == nil)
        #expect(seenLabels["severity"] == "warning")
        #expect(seenLabels["threshold"] == "30d")
        let resolvedLabels = try #require(array[2]["labels"] as? [String: String])
        #expect(resolvedLabels["alertname"] == "SealgateCertificateExpired")
        #expect(array[2]["endsAt"] as? String == "2027-01-15T08:00:00Z")
    }

    @Test("Alertmanager: monitor.labels on every alert, generatorURL, endsAt from the time of the post")
    func alertmanagerPost() throws {
        let post = AlertmanagerPost(labels: ["instance": "pod-7", "cluster": "eu-1"], generatorURL: "http://127.0.0.1:9901/certs", endsIn: .seconds(60))
        let body = post.body(self.alerts(), at: epoch + 600)
        let array = try #require(try self.json(body) as? [[String: Any]])
        let labels = try #require(array[0]["labels"] as? [String: String])
        #expect(labels["instance"] == "pod-7" && labels["cluster"] == "eu-1" && labels["alertname"] == "SealgateCertificateExpiring")
        #expect(array.allSatisfy { $0["generatorURL"] as? String == "http://127.0.0.1:9901/certs" })
        #expect(array[0]["endsAt"] as? String == "2027-01-15T08:11:00Z")
        #expect(array[0]["startsAt"] as? String == "2027-01-15T08:00:00Z")
        #expect(array[2]["endsAt"] as? String == "2027-01-15T08:00:00Z")
    }

    @Test("Slack: one {\"text\"} message per alert")
    func slack() throws {
        let bodies = AlertFormat.slack.bodies(for: self.alerts())
        let texts = try bodies.map { try #require(try self.json($0) as? [String: String]) }
        #expect(texts.map { Array($0.keys) } == [["text"], ["text"], ["text"]])
        #expect(texts[0]["text"]?.hasPrefix("[CRITICAL] The server certificate CN=api expires in 5 days.") == true)
        #expect(texts[2]["text"]?.hasPrefix("[RESOLVED] The watched certificate CN=old") == true)
    }

    @Test("JSON: the /certs object plus the event")
    func plainJSON() throws {
        let bodies = AlertFormat.json.bodies(for: self.alerts())
        let objects = try bodies.map { try #require(try self.json($0) as? [String: Any]) }
        #expect(objects.map { $0["event"] as? String } == ["firing", "firing", "resolved"])
        #expect(Set(objects[0].keys) == [
            "event", "role", "path", "subject", "issuer", "serial", "sha256", "uris", "dns", "not_before", "not_after",
            "expires_in_seconds", "state", "threshold",
        ])
        #expect(objects[0]["expires_in_seconds"] as? Int == 5 * 86_400)
        #expect(objects[0]["not_after"] as? String == "2027-01-20T08:00:00Z")
        #expect(objects[1]["path"] == nil)
        #expect(objects[2]["state"] as? String == "expired")
    }
}
