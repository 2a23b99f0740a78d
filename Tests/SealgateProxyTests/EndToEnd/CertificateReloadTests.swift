import Foundation
import SealgateCertificates
import Testing
import SealgateTestSupport

extension EndToEndTests {
    @Suite("Certificate reload")
    struct CertificateReload {
        /// Replaces a file atomically (temporary file, then rename), as a renewal tool should.
        static func replace(_ path: String, with text: String) throws {
            let temporary = path + ".tmp"
            try text.write(toFile: temporary, atomically: false, encoding: .utf8)
            try #require(rename(temporary, path) == 0)
        }

        /// Puts a new server certificate and its key in place.
        static func install(_ issued: DevelopmentPKI.Issued, _ harness: ProxyHarness) throws {
            try Self.replace(harness.pki.serverKeyPath, with: issued.privateKeyPEM)
            try Self.replace(harness.pki.serverCertificatePath, with: try issued.certificatePEM)
        }

        static func serial(of issued: DevelopmentPKI.Issued) throws -> String {
            try CertificateSummary(issued.certificate).serial
        }

        /// The serial of the certificate a new handshake presents, as `openssl s_client` receives it.
        static func servedSerial(_ harness: ProxyHarness) async throws -> String? {
            let output = try await runProcess(
                "openssl",
                [
                    "s_client", "-connect", "127.0.0.1:\(harness.proxy.port)", "-servername", "localhost",
                    "-CAfile", harness.pki.caPath, "-cert", harness.pki.certificatePath(.writer), "-key", harness.pki.keyPath(.writer),
                ],
                input: Data(),
                timeout: .seconds(10)
            )
            guard let begin = output.stdout.range(of: "-----BEGIN CERTIFICATE-----"),
                let end = output.stdout.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<output.stdout.endIndex)
            else { return nil }
            let file = harness.directory.appendingPathComponent("served-\(UUID().uuidString).pem").path
            try String(output.stdout[begin.lowerBound..<end.upperBound]).write(toFile: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: file) }
            return try CertificateBundle(path: file).summaries.first?.serial
        }

        /// Waits up to `seconds` for new handshakes to present the certificate with `serial`.
        static func waitForServedSerial(_ serial: String, _ harness: ProxyHarness, seconds: Double = 6) async throws -> Bool {
            let deadline = Date() + seconds
            repeat {
                if try await Self.servedSerial(harness) == serial { return true }
                try await Task.sleep(for: .milliseconds(100))
            } while Date() < deadline
            return false
        }

        static func reloads(_ harness: ProxyHarness) -> (success: Int, failure: Int) {
            let entries = harness.proxy.logEntries()
            return (
                entries.filter { $0["msg"] == "certificates reloaded" }.count,
                entries.filter { $0["msg"] == "certificates not reloaded: keeping the ones in use" }.count
            )
        }

        @Test("replacing the server certificate 20 times under load: no failed request, kept-alive connections stay, new handshakes get the new one")
        func reloadUnderLoad() async throws {
            try await ProxyHarness.with { harness in
                let tls = [
                    "--cacert", harness.pki.caPath, "--cert", harness.pki.certificatePath(.writer), "--key", harness.pki.keyPath(.writer),
                ]
                // One connection kept alive for 250 requests of about 40 ms each.
                let curlConfig = harness.directory.appendingPathComponent("keepalive.curl").path
                try String(repeating: "url = \"\(harness.url("/slow?ms=40"))\"\noutput = \"/dev/null\"\n", count: 250)
                    .write(toFile: curlConfig, atomically: true, encoding: .utf8)
                async let keptAlive = runProcess("curl", ["-sS", "-K", curlConfig, "-w", "%{http_code} %{num_connects}\\n"] + tls, timeout: .seconds(90))
                // New connections, one after another, until the replacements are done.
                let replacing = Locked(true)
                async let fresh: [Int] = {
                    var statuses: [Int] = []
                    for _ in 0..<600 where replacing.value {
                        statuses.append(try await harness.curl("/v1/patients").status)
                    }
                    return statuses
                }()

                var presented: [Bool] = []
                for round in 0..<20 {
                    let renewed = try TestPKI.server(signedBy: harness.pki.ca, daysLeft: 90 + Double(round))
                    try Self.install(renewed, harness)
                    // The first three are found by watching the files, the others on SIGHUP.
                    if round >= 3 { kill(harness.proxy.pid, SIGHUP) }
                    presented.append(try await Self.waitForServedSerial(try Self.serial(of: renewed), harness))
                }
                replacing.value = false

                let freshStatuses = try await fresh
                let keptAliveLines = try await keptAlive.stdout.split(separator: "\n")
                #expect(presented == Array(repeating: true, count: 20))
                #expect(freshStatuses.count >= 20)
                #expect(freshStatuses.allSatisfy { $0 == 200 }, "\(freshStatuses.filter { $0 != 200 })")
                #expect(keptAliveLines.count == 250)
                #expect(keptAliveLines.allSatisfy { $0.hasPrefix("200 ") }, "\(keptAliveLines.filter { !$0.hasPrefix("200 ") })")
                let connections = keptAliveLines.compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.reduce(0, +)
                #expect(connections == 1, "the kept-alive connection was dropped")
                let reloads = Self.reloads(harness)
                #expect(reloads.success >= 20)
                #expect(reloads.failure == 0)
            }
        }

        @Test("a broken replacement is refused and the old certificate kept; a fixed one is then taken; a new client CA is trusted")
        func brokenReplacements() async throws {
            try await ProxyHarness.with { harness in
                let original = try #require(try await Self.servedSerial(harness))
                let other = try TestPKI.server(signedBy: harness.pki.ca, daysLeft: 60)
                let breakages: [(String, () throws -> Void)] = [
                    ("unparsable certificate", { try Self.replace(harness.pki.serverCertificatePath, with: "-----BEGIN CERTIFICATE-----\nnot base64\n") }),
                    ("key of another certificate", { try Self.replace(harness.pki.serverCertificatePath, with: try other.certificatePEM) }),
                    ("missing key", { try FileManager.default.removeItem(atPath: harness.pki.serverKeyPath) }),
                ]
                for (index, (what, breakIt)) in breakages.enumerated() {
                    try breakIt()
                    kill(harness.proxy.pid, SIGHUP)
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(Self.reloads(harness).failure >= index + 1, "\(what)")
                    #expect(try await Self.servedSerial(harness) == original, "\(what)")
                    #expect(try await harness.curl("/v1/patients").status == 200, "\(what)")
                }
                let errors = harness.proxy.logEntries().filter { $0["msg"] == "certificates not reloaded: keeping the ones in use" }
                #expect(errors.contains { ($0["error"] ?? "").contains("unparsable certificate") || ($0["error"] ?? "").contains("no PEM certificate") })
                #expect(errors.contains { ($0["error"] ?? "").contains("does not match") })
                #expect(errors.contains { ($0["error"] ?? "").contains("server-key.pem") })
                let metrics = try await HTTPResult.curl(["http://127.0.0.1:\(harness.proxy.adminPort ?? 0)/metrics"], in: harness.directory)
                // Each refusal logged is counted (the series itself exists, at 0, from the start).
                let failures = Self.reloads(harness).failure
                #expect(failures >= breakages.count)
                #expect(metrics.bodyText.contains(#"sealgate_certificate_reloads_total{result="failure"} \#(failures)"#), "\(metrics.bodyText)")

                // Fixed: the next change of the files is taken without a signal.
                try Self.install(other, harness)
                #expect(try await Self.waitForServedSerial(try Self.serial(of: other), harness))

                // A client CA bundle that adds a second CA: its clients are accepted from then on.
                let now = Date()
                let secondCA = try DevelopmentPKI.makeCA(commonName: "second CA", notBefore: now - 60, notAfter: now + 86_400)
                let client = try DevelopmentPKI.issue(
                    by: secondCA, commonName: "newcomer", usage: .client, uris: [TestPKI.writerURI], notBefore: now - 60, notAfter: now + 3600
                )
                try DevelopmentPKI.write(client, name: "newcomer", in: harness.directory)
                let newcomer = [
                    "--cacert", harness.pki.caPath, "--cert", harness.directory.appendingPathComponent("newcomer.pem").path,
                    "--key", harness.directory.appendingPathComponent("newcomer-key.pem").path, harness.url("/v1/patients"),
                ]
                #expect(try await HTTPResult.curl(newcomer, in: harness.directory).status == 0, "refused before the CA is trusted")
                let bundle = try String(contentsOfFile: harness.pki.caPath, encoding: .utf8) + "\n" + (try secondCA.certificatePEM)
                try Self.replace(harness.pki.caPath, with: bundle)
                kill(harness.proxy.pid, SIGHUP)
                var status = 0
                for _ in 0..<30 where status != 200 {
                    try await Task.sleep(for: .milliseconds(200))
                    status = try await HTTPResult.curl(newcomer, in: harness.directory).status
                }
                #expect(status == 200)
                #expect(try await harness.curl("/v1/patients").status == 200, "clients of the first CA still accepted")
            }
        }

        @Test("an expired served certificate: not ready and an Expired alert; renewing it resolves both")
        func renewalOfExpiredServerCertificate() async throws {
            let configuration = ProxyHarness.defaultConfiguration + """

                monitor:
                  interval: 1s
                  alerts: [{type: webhook, url: "http://127.0.0.1:{BACKEND}/alerts", format: alertmanager}]
                """
            let ca = Locked<DevelopmentPKI.Issued?>(nil)
            try await ProxyHarness.with(configuration: configuration, prepare: { directory in
                // Re-sign an expired server certificate with the harness CA, which TestPKI wrote already.
                let pki = try TestPKI(in: directory)
                ca.value = pki.ca
                let now = Date()
                let expired = try DevelopmentPKI.issue(
                    by: pki.ca, commonName: "localhost", usage: .server, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"],
                    notBefore: now - 86_400 * 30, notAfter: now - 86_400
                )
                try DevelopmentPKI.write(expired, name: "server", in: directory)
            }) { harness in
                let admin = "http://127.0.0.1:\(harness.proxy.adminPort ?? 0)"
                let ready = try await HTTPResult.curl([admin + "/readyz"], in: harness.directory)
                #expect(ready.status == 503)
                #expect(ready.bodyText.contains("server_certificate_expired"))
                let alerts = { CertificateMonitor.bodies(at: "/alerts", harness).flatMap { ($0 as? [[String: Any]]) ?? [] } }
                #expect(try await CertificateMonitor.eventually(10) { alerts().count == 1 })
                let fired = try #require(alerts().first?["labels"] as? [String: String])
                #expect(fired["alertname"] == "SealgateCertificateExpired")
                #expect(fired["role"] == "server")

                // The prepare step made a new PKI: sign the renewal with that CA.
                let renewed = try TestPKI.server(signedBy: try #require(ca.value), daysLeft: 90)
                try Self.install(renewed, harness)
                kill(harness.proxy.pid, SIGHUP)
                #expect(try await CertificateMonitor.eventually(10) { alerts().count == 2 })
                let resolved = try #require(alerts().last)
                #expect(resolved["labels"] as? [String: String] == fired)
                #expect(resolved["endsAt"] is String)
                let readyAgain = try await HTTPResult.curl([admin + "/readyz"], in: harness.directory)
                #expect(readyAgain.status == 200)
            }
        }
    }
}
