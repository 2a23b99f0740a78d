import Foundation
import SealgateCrypto
import Testing
import SealgateTestSupport

extension EndToEndTests {
    @Suite("Metrics")
    struct Metrics {
        /// The encrypting proxy, watching `extra/*.pem` (one good, one unreadable file) with an hourly
        /// check, and one Alertmanager webhook.
        static let configuration = EncryptingRoutes.configuration + """

            monitor:
              interval: 1h
              watch: [extra/*.pem]
              alerts:
                - {type: webhook, url: "http://127.0.0.1:{BACKEND}/api/v2/alerts", format: alertmanager}
            """

        static func prepare(_ directory: URL) async throws {
            _ = try await EncryptingRoutes.makeKeys(in: directory)
            try CertificateMonitor.writeWatched("good", daysLeft: 200, startsIn: -10, in: directory)
            try "not a certificate\n".write(to: directory.appendingPathComponent("extra/broken.pem"), atomically: true, encoding: .utf8)
        }

        static func scrape(_ harness: ProxyHarness) async throws -> String {
            let response = try await CertificateMonitor.admin("/metrics", harness)
            try #require(response.status == 200)
            return response.bodyText
        }

        /// The value of the sample whose name and labels are exactly `series`, if exposed.
        static func value(_ series: String, in metrics: String) -> Double? {
            metrics.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
        }

        /// The sample lines of the family `name`.
        static func samples(_ name: String, in metrics: String) -> [Substring] {
            metrics.split(separator: "\n").filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
        }

        @Test("a live /metrics passes promtool check metrics: every family has HELP, names and types are as Prometheus expects", .requires("promtool"))
        func promtoolAcceptsTheExposition() async throws {
            try await ProxyHarness.with(configuration: Self.configuration, prepare: Self.prepare) { harness in
                #expect(try await harness.curl("/v1/patients").status == 200)
                let metrics = try await Self.scrape(harness)
                let check = try await runProcess("promtool", ["check", "metrics"], input: Data(metrics.utf8))
                #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
                #expect(check.stdout.isEmpty && check.stderr.isEmpty, "\(check.stdout)\(check.stderr)")
                // promtool lints what it is given: make sure it was given the whole exposition.
                #expect(metrics.contains("# HELP sealgate_requests_total "))
                #expect(metrics.contains("# HELP process_cpu_seconds_total "))
            }
        }

        @Test("right after start the failure series exist at 0, so increase() > 0 fires on the first failure")
        func failureSeriesStartAtZero() async throws {
            try await ProxyHarness.with(configuration: Self.configuration, prepare: Self.prepare) { harness in
                let metrics = try await Self.scrape(harness)
                let zero: [String] = [
                    #"sealgate_certificate_reloads_total{result="success"}"#,
                    #"sealgate_certificate_reloads_total{result="failure"}"#,
                    #"sealgate_key_reloads_total{result="failure"}"#,
                    #"sealgate_alert_notifications_total{format="alertmanager",result="success"}"#,
                    #"sealgate_alert_notifications_total{format="alertmanager",result="failure"}"#,
                    #"sealgate_alert_notifications_total{format="alertmanager",result="dropped"}"#,
                    #"sealgate_kek_operations_total{provider="local",operation="decrypt",result="failure"}"#,
                    #"sealgate_tls_handshake_failures_total{reason="certificate_verify_failed"}"#,
                    #"sealgate_tls_handshake_failures_total{reason="no_client_certificate"}"#,
                ]
                for series in zero { #expect(Self.value(series, in: metrics) == 0, "\(series)") }
                #expect(Self.value(#"sealgate_key_reloads_total{result="success"}"#, in: metrics) == 1)

                // The first failure then counts 1 on that series.
                #expect(try await harness.curl("/v1/patients", as: .untrusted).exitCode != 0)
                let failures = Self.samples("sealgate_tls_handshake_failures_total", in: try await Self.scrape(harness))
                    .compactMap { Double($0.split(separator: " ").last ?? "") }
                #expect(failures.reduce(0, +) == 1, "\(failures)")
            }
        }

        @Test("process_* metrics from /proc/self and sealgate_build_info")
        func processMetricsAndBuildInfo() async throws {
            try await ProxyHarness.with(configuration: Self.configuration, prepare: Self.prepare) { harness in
                let metrics = try await Self.scrape(harness)
                #expect(Self.value(#"sealgate_build_info{version="0.1.0"}"#, in: metrics) == 1)
                let resident = try #require(Self.value("process_resident_memory_bytes", in: metrics))
                let measured = Double(try #require(harness.proxy.residentKiB(peak: false))) * 1024
                #expect(resident > measured / 2 && resident < measured * 2, "\(resident) vs VmRSS \(measured)")
                let started = try #require(Self.value("process_start_time_seconds", in: metrics))
                #expect(abs(started - Date().timeIntervalSince1970) < 120)
                let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(harness.proxy.pid)/fd").count
                let open = try #require(Self.value("process_open_fds", in: metrics))
                #expect(open > 3 && abs(open - Double(descriptors)) <= 5, "\(open) vs \(descriptors)")
                #expect(try #require(Self.value("process_max_fds", in: metrics)) >= open)
                let cpu = try #require(Self.value("process_cpu_seconds_total", in: metrics))
                #expect(cpu > 0 && cpu < 600)
            }
        }

        @Test("request durations are bucketed from 0.5 ms")
        func durationBuckets() async throws {
            try await ProxyHarness.with(configuration: Self.configuration, prepare: Self.prepare) { harness in
                #expect(try await harness.curl("/v1/patients").status == 200)
                let buckets = Self.samples("sealgate_request_duration_seconds_bucket", in: try await Self.scrape(harness))
                    .filter { $0.contains(#"route="/v1/patients""#) }
                let bounds = buckets.compactMap { line in
                    line.split(separator: "le=\"").last?.split(separator: "\"").first.map(String.init)
                }
                #expect(bounds == [
                    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf",
                ])
            }
        }

        @Test("certificate gauges are computed at each scrape: expires_in moves, a client just seen is there, unreadable files show")
        func certificateGaugesAtScrape() async throws {
            try await ProxyHarness.with(configuration: Self.configuration, prepare: Self.prepare) { harness in
                let server = #"{role="server",subject="CN=localhost,O=sealgate development""#
                let first = try await Self.scrape(harness)
                #expect(!first.contains(#"role="client_seen""#))
                let before = try #require(Self.samples("sealgate_certificate_expires_in_seconds", in: first).first { $0.contains(server) })
                try await Task.sleep(for: .seconds(2))

                // The monitor looks only hourly: what follows is computed by the scrape itself.
                #expect(try await harness.curl("/v1/patients").status == 200)
                let second = try await Self.scrape(harness)
                let after = try #require(Self.samples("sealgate_certificate_expires_in_seconds", in: second).first { $0.contains(server) })
                let moved = try #require(Double(before.split(separator: " ").last ?? "")) - #require(Double(after.split(separator: " ").last ?? ""))
                #expect(moved >= 1.5 && moved < 10, "\(before) then \(after)")
                let seen = Self.samples("sealgate_certificate_expires_in_seconds", in: second).filter { $0.contains(#"role="client_seen""#) }
                #expect(seen.count == 1, "\(seen)")

                let notBefore = try #require(Self.samples("sealgate_certificate_not_before_timestamp_seconds", in: second).first { $0.contains(server) })
                let notBeforeValue = try #require(Double(notBefore.split(separator: " ").last ?? ""))
                #expect(notBeforeValue < Date().timeIntervalSince1970 && notBeforeValue > Date().timeIntervalSince1970 - 86_400 * 30)
                let info = try #require(Self.samples("sealgate_certificate_info", in: second).first { $0.contains(server) })
                #expect(info.contains(#"issuer="CN=sealgate test CA,O=sealgate development""#) && info.hasSuffix(" 1.0"), "\(info)")
                let broken = harness.directory.appendingPathComponent("extra/broken.pem").path
                #expect(Self.value("sealgate_certificate_file_errors{path=\"\(broken)\"}", in: second) == 1)
                let good = harness.directory.appendingPathComponent("extra/good.pem").path
                #expect(!second.contains("sealgate_certificate_file_errors{path=\"\(good)\"}"))
            }
        }

        @Test("each key's primary age and rotation due time are computed at each scrape from the rotation records")
        func keyRotationGauges() async throws {
            // pii's primary was added 100 days ago with a 90-day period: overdue by 10 days.
            let added = Date().addingTimeInterval(-100 * 86_400)
            try await ProxyHarness.with(configuration: Self.configuration, prepare: { directory in
                try await Self.prepare(directory)
                let vault = KeyVault(
                    directory: directory.appendingPathComponent("keys").path,
                    provider: try LocalKeyEncryptionKey(contentsOf: directory.appendingPathComponent("kek.json").path)
                )
                let primary = try await vault.load("pii").primaryKeyID
                try #"{"rotation_period_seconds": 7776000, "keys_added": {"\#(primary)": "\#(added.formatted(.iso8601))"}}"#
                    .write(toFile: directory.appendingPathComponent("keys/pii.rotation.json").path, atomically: true, encoding: .utf8)
            }) { harness in
                let metrics = try await Self.scrape(harness)
                let age = try #require(Self.value(#"sealgate_key_primary_age_seconds{key="pii"}"#, in: metrics))
                #expect(abs(age - 100 * 86_400) < 60)
                let due = try #require(Self.value(#"sealgate_key_rotation_due_timestamp_seconds{key="pii"}"#, in: metrics))
                #expect(due == (added.timeIntervalSince1970 + 90 * 86_400).rounded(.towardZero))
                // Keys made without a period: their age (seconds, just created), and no due time.
                let searchAge = try #require(Self.value(#"sealgate_key_primary_age_seconds{key="pii-search"}"#, in: metrics))
                #expect(searchAge >= 0 && searchAge < 600)
                #expect(Self.samples("sealgate_key_rotation_due_timestamp_seconds", in: metrics).count == 1)
                #expect(metrics.contains("# HELP sealgate_key_primary_age_seconds How long each key name's primary key has encrypted"))
            }
        }
    }
}
