import Foundation
import SealgateCertificates
import Testing

extension EndToEndTests {
    @Suite("Certificate expiry monitoring")
    struct CertificateMonitor {
        /// The watched certificates the tests start with, by file name, and the days each has left.
        static let watched: [(name: String, daysLeft: Double, startsIn: Double)] = [
            ("expired", -2, -30), ("five-days", 5, -10), ("twenty-days", 20, -10), ("not-yet-valid", 60, 2), ("good", 200, -10),
        ]

        /// The harness configuration with monitoring every second and `alerts` (YAML list items).
        static func configuration(alerts: [String]) -> String {
            ProxyHarness.defaultConfiguration + """

                monitor:
                  interval: 1s
                  repeat_interval: 1h
                  watch: [extra/*.pem]
                  alerts:
                \(alerts.map { "    - \($0)" }.joined(separator: "\n"))
                """
        }

        /// Writes a certificate for `name` into `extra/<name>.pem`, made by a CA of its own.
        static func writeWatched(_ name: String, daysLeft: Double, startsIn: Double, in directory: URL) throws {
            let now = Date()
            let ca = try DevelopmentPKI.makeCA(commonName: "\(name) CA", notBefore: now - 86_400 * 40, notAfter: now + 86_400 * 400)
            let leaf = try DevelopmentPKI.issue(
                by: ca, commonName: name, usage: .server, dnsNames: ["\(name).internal"],
                notBefore: now + startsIn * 86_400, notAfter: now + daysLeft * 86_400
            )
            let folder = directory.appendingPathComponent("extra")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let temporary = folder.appendingPathComponent(".\(name).tmp")
            try leaf.certificatePEM.write(to: temporary, atomically: false, encoding: .utf8)
            // Atomically, as a renewal should: the watcher never sees a half-written file.
            try #require(rename(temporary.path, folder.appendingPathComponent("\(name).pem").path) == 0)
        }

        static func prepareWatched(_ directory: URL) throws {
            for certificate in Self.watched {
                try Self.writeWatched(certificate.name, daysLeft: certificate.daysLeft, startsIn: certificate.startsIn, in: directory)
            }
        }

        /// The JSON bodies the backend received at `path`.
        static func bodies(at path: String, _ harness: ProxyHarness) -> [Any] {
            harness.backend.records().filter { $0.path == path && $0.method == "POST" }.compactMap {
                try? JSONSerialization.jsonObject(with: Data(($0.body ?? "").utf8))
            }
        }

        /// The Alertmanager alerts received so far, flattened.
        static func alertmanagerAlerts(_ harness: ProxyHarness) -> [[String: Any]] {
            Self.bodies(at: "/api/v2/alerts", harness).flatMap { ($0 as? [[String: Any]]) ?? [] }
        }

        /// Polls `condition` every 200 ms for up to `seconds`.
        static func eventually(_ seconds: Double = 15, _ condition: () async throws -> Bool) async throws -> Bool {
            let deadline = Date() + seconds
            while Date() < deadline {
                if try await condition() { return true }
                try await Task.sleep(for: .milliseconds(200))
            }
            return try await condition()
        }

        static func admin(_ path: String, _ harness: ProxyHarness) async throws -> HTTPResult {
            try await HTTPResult.curl(["http://127.0.0.1:\(harness.proxy.adminPort ?? 0)\(path)"], in: harness.directory)
        }

        @Test("one alert per certificate and threshold to Slack and JSON webhooks, every firing one to Alertmanager; no duplicates; renewal resolves")
        func alertsAndRenewal() async throws {
            let configuration = Self.configuration(alerts: [
                "{type: webhook, url: \"http://127.0.0.1:{BACKEND}/api/v2/alerts\", format: alertmanager}",
                "{type: webhook, url: \"http://127.0.0.1:{BACKEND}/slack\", format: slack}",
                "{type: webhook, url: \"http://127.0.0.1:{BACKEND}/hooks/json\", format: json}",
            ])
            try await ProxyHarness.with(configuration: configuration, prepare: Self.prepareWatched) { harness in
                #expect(try await Self.eventually { Self.bodies(at: "/hooks/json", harness).count >= 4 })
                // Several more looks (one per second) must not repeat anything to Slack or JSON; Alertmanager
                // is told every firing alert again at each look, with the same labels.
                try await Task.sleep(for: .seconds(3))
                let alerts = Self.alertmanagerAlerts(harness)
                let labels = alerts.compactMap { $0["labels"] as? [String: String] }
                let bySubject = Dictionary(grouping: labels) { $0["subject"] ?? "?" }
                #expect(Set(labels).count == 4, "\(labels)")
                #expect(Self.bodies(at: "/api/v2/alerts", harness).count >= 3)
                #expect(bySubject.keys.sorted() == [
                    "CN=expired,O=sealgate development", "CN=five-days,O=sealgate development",
                    "CN=not-yet-valid,O=sealgate development", "CN=twenty-days,O=sealgate development",
                ])
                let expired = try #require(bySubject["CN=expired,O=sealgate development"]?.first)
                #expect(expired["alertname"] == "SealgateCertificateExpired")
                #expect(expired["severity"] == "critical")
                #expect(expired["role"] == "watched")
                #expect(expired["path"] == harness.directory.appendingPathComponent("extra/expired.pem").path)
                let five = try #require(bySubject["CN=five-days,O=sealgate development"]?.first)
                #expect(five["alertname"] == "SealgateCertificateExpiring")
                #expect(five["severity"] == "critical")
                #expect(five["threshold"] == "7d")
                let twenty = try #require(bySubject["CN=twenty-days,O=sealgate development"]?.first)
                #expect(twenty["severity"] == "warning")
                #expect(twenty["threshold"] == "30d")
                #expect(bySubject["CN=not-yet-valid,O=sealgate development"]?.first?["alertname"] == "SealgateCertificateNotYetValid")
                #expect(alerts.allSatisfy { $0["startsAt"] is String && $0["endsAt"] is String })
                let fiveAlert = try #require(alerts.first { ($0["labels"] as? [String: String])?["subject"] == five["subject"] })
                #expect((fiveAlert["annotations"] as? [String: String])?["summary"] == "The watched certificate CN=five-days,O=sealgate development expires in 5 days")

                let slack = Self.bodies(at: "/slack", harness).compactMap { ($0 as? [String: String])?["text"] }
                #expect(slack.count == 4)
                #expect(slack.contains { $0.hasPrefix("[CRITICAL] The watched certificate CN=expired,O=sealgate development has expired.") })
                let json = Self.bodies(at: "/hooks/json", harness).compactMap { $0 as? [String: Any] }
                #expect(json.count == 4)
                #expect(Set(json.compactMap { $0["state"] as? String }) == ["expired", "warning", "not_yet_valid"])
                #expect(json.allSatisfy { $0["event"] as? String == "firing" })

                // The log has each alert as well.
                let logged = harness.proxy.logEntries().filter { $0["alertname"] != nil }
                #expect(logged.count == 4)
                #expect(logged.first { $0["subject"] == five["subject"] }?["level"] == "error")
                #expect(logged.first { $0["subject"] == twenty["subject"] }?["level"] == "warning")

                // Renewal: a new certificate in the same file resolves the alert, with the labels it fired with.
                try Self.writeWatched("five-days", daysLeft: 300, startsIn: -1, in: harness.directory)
                #expect(try await Self.eventually { Self.bodies(at: "/slack", harness).count == 5 })
                #expect((Self.bodies(at: "/slack", harness).last as? [String: String])?["text"]?.hasPrefix("[RESOLVED] The watched certificate CN=five-days") == true)
                #expect(try await Self.eventually { Self.bodies(at: "/hooks/json", harness).count == 5 })
                #expect((Self.bodies(at: "/hooks/json", harness).last as? [String: Any])?["event"] as? String == "resolved")
                try await Task.sleep(for: .seconds(2))
                #expect(Self.bodies(at: "/slack", harness).count == 5, "nothing more after the resolve")
                #expect(Self.bodies(at: "/hooks/json", harness).count == 5, "nothing more after the resolve")

                let metrics = try await Self.admin("/metrics", harness).bodyText
                #expect(metrics.contains(#"sealgate_alert_notifications_total{format="slack",result="success"} 5"#))
            }
        }

        @Test("/certs lists every watched certificate with its state, clients seen in handshakes included; metrics carry the expiry")
        func certsEndpointAndMetrics() async throws {
            let configuration = Self.configuration(alerts: []).replacingOccurrences(of: "  alerts:\n", with: "  alerts: []\n")
            try await ProxyHarness.with(configuration: configuration, prepare: Self.prepareWatched) { harness in
                #expect(try await harness.curl("/v1/patients").status == 200)
                let response = try await Self.admin("/certs", harness)
                #expect(response.status == 200)
                #expect(response.header("content-type") == "application/json")
                let certificates = try #require(response.json?["certificates"] as? [[String: Any]])
                let roles = certificates.compactMap { $0["role"] as? String }
                #expect(roles == ["server", "client_ca"] + Array(repeating: "watched", count: 5) + ["client_seen"])
                let server = certificates[0]
                #expect(server["path"] as? String == harness.pki.serverCertificatePath)
                #expect(server["subject"] as? String == "CN=localhost,O=sealgate development")
                #expect(server["issuer"] as? String == "CN=sealgate test CA,O=sealgate development")
                #expect(server["uris"] as? [String] == [TestPKI.serverURI])
                #expect(server["dns"] as? [String] == ["localhost"])
                #expect(server["state"] as? String == "ok")
                #expect(server.keys.contains("threshold") && server["threshold"] is NSNull)
                #expect((server["serial"] as? String)?.allSatisfy { "0123456789abcdef".contains($0) } == true)
                let seen = try #require(certificates.last)
                #expect(seen["path"] == nil)
                #expect(seen["uris"] as? [String] == [TestPKI.writerURI])
                let states = Dictionary(uniqueKeysWithValues: certificates.compactMap { certificate -> (String, String)? in
                    guard let subject = certificate["subject"] as? String, let state = certificate["state"] as? String else { return nil }
                    return (subject, state)
                })
                #expect(states["CN=expired,O=sealgate development"] == "expired")
                #expect(states["CN=five-days,O=sealgate development"] == "warning")
                #expect(states["CN=not-yet-valid,O=sealgate development"] == "not_yet_valid")
                #expect(states["CN=good,O=sealgate development"] == "ok")
                let five = try #require(certificates.first { $0["subject"] as? String == "CN=five-days,O=sealgate development" })
                let left = try #require(five["expires_in_seconds"] as? Int)
                #expect(abs(left - 5 * 86_400) < 60)
                #expect(five["threshold"] as? String == "7d")

                let metrics = try await Self.admin("/metrics", harness).bodyText
                let path = harness.directory.appendingPathComponent("extra/five-days.pem").path
                let line = try #require(metrics.split(separator: "\n").first {
                    $0.hasPrefix("sealgate_certificate_expires_in_seconds{") && $0.contains("path=\"\(path)\"")
                })
                #expect(line.contains(#"role="watched""#) && line.contains(#"subject="CN=five-days,O=sealgate development""#))
                let value = try #require(Double(line.split(separator: " ").last ?? ""))
                #expect(abs(value - 5 * 86_400) < 60)
                #expect(metrics.contains("sealgate_certificate_expiration_timestamp_seconds{role=\"server\""))
                #expect(try await Self.admin("/readyz", harness).status == 200)
            }
        }

        @Test("a failing webhook is retried; slow and dead webhooks never slow the proxy")
        func failingWebhooks() async throws {
            let configuration = Self.configuration(alerts: [
                "{type: webhook, url: \"http://127.0.0.1:{BACKEND}/flaky?fail=2\", format: alertmanager}",
                "{type: webhook, url: \"http://127.0.0.1:{BACKEND}/slow?ms=20000\", format: json}",
                "{type: webhook, url: \"http://127.0.0.1:1/dead\", format: slack}",
            ])
            try await ProxyHarness.with(configuration: configuration, prepare: Self.prepareWatched) { harness in
                // Served as fast as ever while the webhooks hang and fail.
                for _ in 0..<10 {
                    let started = ContinuousClock.now
                    let status = try await harness.curl("/v1/patients").status
                    #expect(status == 200)
                    #expect(ContinuousClock.now - started < .seconds(2))
                }
                // Two 503s, then delivered: three tries with the same body (later posts, one per look, wait their turn).
                let retried = try await Self.eventually(10) { harness.backend.records().filter { $0.path == "/flaky?fail=2" }.count >= 3 }
                #expect(retried)
                let tries = harness.backend.records().filter { $0.path == "/flaky?fail=2" }
                #expect(Set(tries.prefix(3).map(\.body_sha256)).count == 1)
                let counted = try await Self.eventually(5) {
                    try await Self.admin("/metrics", harness).bodyText.split(separator: "\n")
                        .first { $0.hasPrefix(#"sealgate_alert_notifications_total{format="alertmanager",result="success"} "#) }
                        .flatMap { Double($0.split(separator: " ").last ?? "") }.map { $0 >= 1 } == true
                }
                #expect(counted)
                // Graceful shutdown is not held up by the webhooks either.
                let stopping = ContinuousClock.now
                let status = try await harness.proxy.stop(signal: SIGTERM)
                #expect(status == 0)
                #expect(ContinuousClock.now - stopping < .seconds(5))
            }
        }

        @Test("an undelivered alert's log line names the webhook URL without its credentials")
        func webhookLogWithoutCredentials() async throws {
            // A 404 is not retried, so the failure is logged at once.
            let configuration = Self.configuration(alerts: [
                "{type: webhook, url: \"http://alice:s3cret@127.0.0.1:{BACKEND}/status?code=404&token=t0ken#part\", format: json}",
            ])
            try await ProxyHarness.with(configuration: configuration, prepare: Self.prepareWatched) { harness in
                #expect(try await Self.eventually { harness.proxy.logEntries().contains { $0["msg"] == "alert not delivered" } })
                let failure = try #require(harness.proxy.logEntries().first { $0["msg"] == "alert not delivered" })
                #expect(failure["webhook"] == "http://127.0.0.1:\(harness.backend.port)/status", "\(failure)")
                #expect(failure["error"] == "HTTP 404")
                let log = try String(contentsOf: harness.proxy.logURL, encoding: .utf8)
                for secret in ["s3cret", "alice", "t0ken"] { #expect(!log.contains(secret), "\(secret)") }
            }
        }

        @Test("Alertmanager hears every firing alert at each look: startsAt unchanged, endsAt ahead, monitor.labels, generatorURL; renewal ends an alert, removal only stops it")
        func alertmanagerReposts() async throws {
            let configuration = Self.configuration(alerts: [
                "{type: webhook, url: \"http://127.0.0.1:{BACKEND}/api/v2/alerts\", format: alertmanager}",
            ]) + "\n  labels: {cluster: test-cluster}"
            try await ProxyHarness.with(configuration: configuration, prepare: Self.prepareWatched) { harness in
                func posts() -> [[[String: Any]]] { Self.bodies(at: "/api/v2/alerts", harness).compactMap { $0 as? [[String: Any]] } }
                func subject(_ alert: [String: Any]) -> String? { (alert["labels"] as? [String: String])?["subject"] }
                func date(_ value: Any?) -> Date? { (value as? String).flatMap { try? Date($0, strategy: .iso8601) } }
                #expect(try await Self.eventually { posts().count >= 3 })
                let firing = ["expired", "five-days", "not-yet-valid", "twenty-days"].map { "CN=\($0),O=sealgate development" }
                #expect(posts().allSatisfy { $0.compactMap(subject).sorted() == firing }, "every post holds every firing alert")
                let five = posts().flatMap { $0 }.filter { subject($0) == firing[1] }
                #expect(Set(five.compactMap { $0["startsAt"] as? String }).count == 1, "startsAt never changes")
                let latest = try #require(posts().last?.first)
                let endsAt = try #require(date(latest["endsAt"]))
                #expect(endsAt > Date() && endsAt < Date() + 10, "endsAt a few looks ahead: \(endsAt)")
                let labels = try #require(latest["labels"] as? [String: String])
                #expect(labels["cluster"] == "test-cluster" && labels["instance"] == nil)
                #expect((latest["generatorURL"] as? String).map { $0.hasPrefix("http://127.0.0.1:") && $0.hasSuffix("/certs") } == true)

                // Renewed: one post ends that alert (endsAt before the others'), later posts leave it out.
                try Self.writeWatched("five-days", daysLeft: 300, startsIn: -1, in: harness.directory)
                // Removed: the alert is no longer posted, and never with endsAt now.
                try FileManager.default.removeItem(at: harness.directory.appendingPathComponent("extra/twenty-days.pem"))
                #expect(try await Self.eventually { posts().suffix(2).allSatisfy { $0.compactMap(subject).sorted() == [firing[0], firing[2]] } })
                let all = posts()
                let ending = try #require(all.firstIndex { post in
                    let ahead = post.compactMap { date($0["endsAt"]) }.max()
                    return post.contains { subject($0) == firing[1] && date($0["endsAt"]) != ahead }
                })
                #expect(!all[(ending + 1)...].contains { $0.contains { subject($0) == firing[1] } })
                for post in all {
                    let ahead = post.compactMap { date($0["endsAt"]) }.max()
                    for alert in post where subject(alert) == firing[3] { #expect(date(alert["endsAt"]) == ahead, "the removed certificate's alert is never ended") }
                }
            }
        }
    }
}
