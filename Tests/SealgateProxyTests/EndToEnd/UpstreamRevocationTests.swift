import Foundation
import SealgateTestSupport
import Testing

extension EndToEndTests {
    /// `upstream.tls.crl`: the backend's certificate is checked against CRLs of `upstream.tls.ca`.
    @Suite("Backend certificate revocation (upstream.tls.crl)")
    struct UpstreamRevocation {
        static func configuration() -> String {
            ProxyHarness.defaultConfiguration.replacingOccurrences(
                of: #"upstream: {url: "http://127.0.0.1:{BACKEND}", connect_timeout: 1s, timeout: 3s}"#,
                with: #"upstream: {url: "https://localhost:{BACKEND}", tls: {ca: ca.pem, certificate: writer.pem, private_key: writer-key.pem, crl: [upstream-crl.pem]}}"#
            )
        }

        /// A CRL of the test CA, made with `openssl ca -gencrl`, revoking the files of `revoked` in the directory.
        static func crl(revoking revoked: [String]) -> (URL) async throws -> Void {
            { directory in
                try await TestCRL.openssl(revoking: revoked, in: directory, to: directory.appendingPathComponent("upstream-crl.pem").path)
            }
        }

        @Test("a backend whose certificate the CRL revokes gets the request 502 and a log line; the backend sees nothing")
        func revokedBackend() async throws {
            try await ProxyHarness.with(configuration: Self.configuration(), httpsBackend: true, prepare: Self.crl(revoking: ["server.pem"])) { harness in
                let result = try await harness.curl("/v1/patients/1")
                #expect(result.status == 502)
                // As for any backend whose TLS handshake fails: the connection closes before a response.
                #expect(result.json?["code"] as? String == "upstream_failed")
                #expect(harness.backend.records().isEmpty)
                let logged = try #require(harness.proxy.logEntries().first { $0["msg"] == "backend certificate refused by the CRLs" })
                #expect(logged["subject"]?.contains("CN=localhost") == true)
            }
        }

        @Test("a backend the CRL does not revoke is served")
        func goodBackend() async throws {
            try await ProxyHarness.with(configuration: Self.configuration(), httpsBackend: true, prepare: Self.crl(revoking: ["writer.pem"])) { harness in
                let result = try await harness.curl("/v1/patients/1")
                #expect(result.status == 200)
            }
        }
    }
}
