import Foundation
import SealgateTestSupport
import SealgateCertificates
import Testing

extension EndToEndTests {
    /// DESIGN.md "Lifecycle and trust rules": every request re-checks its connection's certificate, also on a
    /// kept-alive connection and on a resumed TLS session, where no handshake looks at it again.
    @Suite("Identity re-checked on every request")
    struct IdentityRecheck {
        static let keepAliveClient = TestEnvironment.testsDirectory.appendingPathComponent("Fixtures/keepalive_client.py").path
        static let http2Client = TestEnvironment.testsDirectory.appendingPathComponent("Fixtures/h2_two_requests_client.py").path

        /// The harness's configuration with idle connections kept long enough to outlive a certificate.
        static let configuration = ProxyHarness.defaultConfiguration.replacingOccurrences(of: "idle_timeout: 5s", with: "idle_timeout: 30s")

        /// Writes `short-lived.pem` and its key: the writer's identity, from the test CA, valid for `seconds` more
        /// whole seconds. Returns when it expires.
        static func issueShortLived(_ harness: ProxyHarness, seconds: Double) throws -> (certificate: String, key: String, notAfter: Date) {
            let now = Date()
            // X.509 times have whole seconds: the end is a whole second, so the wait after it is exact.
            let notAfter = Date(timeIntervalSince1970: (now.timeIntervalSince1970 + seconds).rounded(.down))
            let issued = try DevelopmentPKI.issue(
                by: harness.pki.ca,
                commonName: "short-lived",
                usage: .client,
                uris: [TestPKI.writerURI],
                notBefore: now - 3600,
                notAfter: notAfter
            )
            try DevelopmentPKI.write(issued, name: "short-lived", in: harness.directory)
            let base = harness.directory.appendingPathComponent("short-lived")
            return (base.path + ".pem", base.path + "-key.pem", notAfter)
        }

        static func sleep(until date: Date) async throws {
            let left = date.timeIntervalSinceNow
            if left > 0 { try await Task.sleep(for: .milliseconds(Int(left * 1000))) }
        }

        /// `openssl s_client` sending one request, optionally with a client certificate and a saved session.
        static func sClient(
            _ harness: ProxyHarness,
            certificate: (String, String)?,
            sessionOut: String? = nil,
            sessionIn: String? = nil
        ) async throws -> String {
            var arguments = [
                "s_client", "-ign_eof", "-connect", "127.0.0.1:\(harness.proxy.port)", "-servername", "localhost",
                "-CAfile", harness.pki.caPath,
            ]
            if let (cert, key) = certificate { arguments += ["-cert", cert, "-key", key] }
            if let sessionOut { arguments += ["-sess_out", sessionOut] }
            if let sessionIn { arguments += ["-sess_in", sessionIn] }
            let request = "GET /v1/patients/7 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            return try await runProcess("openssl", arguments, input: Data(request.utf8), timeout: .seconds(15)).stdout
        }

        @Test("a TLS session resumed after its client certificate expired gets 401 certificate_expired, not the identity")
        func resumedSessionAfterExpiry() async throws {
            try await ProxyHarness.with(configuration: Self.configuration) { harness in
                let client = try Self.issueShortLived(harness, seconds: 4)
                let session = harness.directory.appendingPathComponent("s.pem").path
                let first = try await Self.sClient(harness, certificate: (client.certificate, client.key), sessionOut: session)
                #expect(first.contains("HTTP/1.1 200"), "\(first)")
                try await Self.sleep(until: client.notAfter + 1.5)
                // No certificate at all: only the saved session speaks for the client.
                let resumed = try await Self.sClient(harness, certificate: nil, sessionIn: session)
                #expect(resumed.contains("Reused, TLSv1.3"), "the session was not resumed: \(resumed)")
                #expect(resumed.contains("HTTP/1.1 401"), "\(resumed)")
                #expect(resumed.contains(#""code":"certificate_expired""#), "\(resumed)")
                #expect(harness.backend.records().count == 1)
            }
        }

        /// Runs a two-request client fixture with the short-lived certificate, pausing until it has expired.
        static func twoRequests(_ script: String, _ harness: ProxyHarness) async throws -> (responses: [[String: Any]], closed: Bool?) {
            let client = try Self.issueShortLived(harness, seconds: 4)
            let pause = client.notAfter.timeIntervalSinceNow + 1.5
            let output = try await runProcess(
                "python3",
                [script, String(harness.proxy.port), harness.pki.caPath, client.certificate, client.key, "/v1/patients/7", String(pause)]
            )
            let result = try #require(
                try JSONSerialization.jsonObject(with: output.standardOutput) as? [String: Any],
                "\(output.stdout) \(output.stderr)"
            )
            return (try #require(result["responses"] as? [[String: Any]]), result["closed"] as? Bool)
        }

        @Test("HTTP/2: a new stream after the certificate expired gets 401 certificate_expired and the connection closes")
        func http2AcrossExpiry() async throws {
            try await ProxyHarness.with(configuration: Self.configuration) { harness in
                let (responses, closed) = try await Self.twoRequests(Self.http2Client, harness)
                #expect(responses.first?["status"] as? Int == 200)
                #expect(responses.last?["status"] as? Int == 401)
                #expect(responses.last?["code"] as? String == "certificate_expired")
                #expect(closed == true)
                #expect(harness.backend.records().count == 1)
            }
        }

        @Test("a kept-alive connection: 200 before its certificate expires, then 401 certificate_expired and closed")
        func keptAliveConnectionAcrossExpiry() async throws {
            try await ProxyHarness.with(configuration: Self.configuration) { harness in
                let client = try Self.issueShortLived(harness, seconds: 4)
                let pause = client.notAfter.timeIntervalSinceNow + 1.5
                let output = try await runProcess(
                    "python3",
                    [
                        Self.keepAliveClient, String(harness.proxy.port), harness.pki.caPath, client.certificate, client.key,
                        "/v1/patients/7", String(pause),
                    ]
                )
                let result = try #require(
                    try JSONSerialization.jsonObject(with: output.standardOutput) as? [String: Any],
                    "\(output.stdout) \(output.stderr)"
                )
                let responses = try #require(result["responses"] as? [[String: Any]])
                #expect(responses.first?["status"] as? Int == 200)
                #expect(responses.last?["status"] as? Int == 401)
                #expect(responses.last?["code"] as? String == "certificate_expired")
                #expect(responses.last?["connection"] as? String == "close")
                #expect(result["closed"] as? Bool == true)
                #expect(harness.backend.records().count == 1)
            }
        }
    }
}
