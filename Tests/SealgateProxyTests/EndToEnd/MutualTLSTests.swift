import Foundation
import Testing
import SealgateTestSupport

extension EndToEndTests {
    @Suite("Mutual TLS and identity")
    struct MutualTLS {
        @Test("a client certificate over TLS 1.3 and HTTP/1.1 reaches the backend with its identity")
        func http1WithIdentity() async throws {
            try await ProxyHarness.with { harness in
                let result = try await harness.curl("/v1/patients/7", ["--http1.1", "--tlsv1.3"])
                #expect(result.status == 200)
                #expect(result.httpVersion == "1.1")
                let seen = try #require(result.echoed)
                let hash = try await sha256OfCertificate(harness.pki.certificatePath(.writer))
                #expect(
                    seen.values("x-forwarded-client-cert") == [
                        "By=\(TestPKI.serverURI);Hash=\(hash);Subject=\"CN=writer,O=sealgate development\";URI=\(TestPKI.writerURI)"
                    ]
                )
                #expect(seen.values("x-forwarded-proto") == ["https"])
                #expect(seen.values("x-forwarded-for") == ["127.0.0.1"])
                #expect(result.header("x-request-id")?.count == 32)
            }
        }

        @Test("HTTP/2 is negotiated by ALPN and proxied")
        func http2() async throws {
            try await ProxyHarness.with { harness in
                let result = try await harness.curl(
                    "/v1/patients",
                    ["--http2", "-H", "content-type: application/json", "--data-binary", #"{"name":"Ada"}"#]
                )
                #expect(result.httpVersion == "2")
                #expect(result.status == 200)
                let seen = try #require(result.echoed)
                #expect(seen.method == "POST")
                #expect(seen.body == #"{"name":"Ada"}"#)
                #expect(seen.values("x-forwarded-client-cert").count == 1)
            }
        }

        @Test("nghttp, an independent HTTP/2 client, is served", .requires("nghttp"))
        func nghttp() async throws {
            try await ProxyHarness.with { harness in
                let output = try await runProcess(
                    "nghttp",
                    [
                        "-v", "--cert", harness.pki.certificatePath(.writer), "--key", harness.pki.keyPath(.writer),
                        harness.url("/v1/patients/1"),
                    ]
                )
                #expect(output.status == 0, "\(output.stderr)")
                #expect(output.stdout.contains(":status: 200"))
                #expect(harness.backend.records().map(\.path) == ["/v1/patients/1"])
            }
        }

        @Test("every client-sent copy of the identity header is removed")
        func spoofedIdentityHeaderIsStripped() async throws {
            try await ProxyHarness.with { harness in
                let result = try await harness.curl(
                    "/v1/patients",
                    [
                        "--http1.1",
                        "-H", "x-forwarded-client-cert: By=evil;URI=spiffe://example.org/ns/admin/sa/root",
                        "-H", "X-Forwarded-Client-Cert: second",
                        "-H", "x_forwarded_client_cert: underscore",
                        "-H", "Connection: keep-alive, x-forwarded-client-cert",
                    ]
                )
                let seen = try #require(result.echoed)
                let values = seen.values("x-forwarded-client-cert") + seen.values("x_forwarded_client_cert")
                #expect(values.count == 1)
                #expect(values.first?.contains("URI=\(TestPKI.writerURI)") == true)
                #expect(values.first?.contains("evil") == false)
            }
        }

        @Test("TLS 1.2 is refused unless configured", .requires("openssl"))
        func tls12Refused() async throws {
            try await ProxyHarness.with { harness in
                let output = try await runProcess(
                    "openssl",
                    [
                        "s_client", "-tls1_2", "-connect", "127.0.0.1:\(harness.proxy.port)", "-CAfile", harness.pki.caPath,
                        "-cert", harness.pki.certificatePath(.writer), "-key", harness.pki.keyPath(.writer),
                    ],
                    input: Data("GET /v1/patients HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
                )
                #expect(output.status != 0)
                #expect((output.stdout + output.stderr).contains("protocol version") || (output.stdout + output.stderr).contains("alert"))
                #expect(harness.backend.records().isEmpty)
            }
        }

        @Test(
            "bad client certificates fail the handshake",
            arguments: [nil, TestPKI.Client.untrusted, .expired, .notYetValid, .serverOnly]
        )
        func badCertificatesFailTheHandshake(client: TestPKI.Client?) async throws {
            try await ProxyHarness.with { harness in
                let result = try await harness.curl("/v1/patients", as: client, ["--http1.1"])
                #expect(result.exitCode != 0)
                #expect(result.status == 0)
                #expect(harness.backend.records().isEmpty)
                let metrics = try await HTTPResult.curl(["http://127.0.0.1:\(harness.proxy.adminPort ?? 0)/metrics"], in: harness.directory)
                let reason = client == nil ? "no_client_certificate" : "certificate_verify_failed"
                #expect(metrics.bodyText.contains("sealgate_tls_handshake_failures_total{reason=\"\(reason)\"} 1"))
                // The log line gives the reason in words, not BoringSSL's error dump with its source paths.
                let logged = try #require(harness.proxy.logEntries().first { $0["msg"] == "tls handshake failed" })
                #expect(logged["reason"] == reason)
                #expect(logged["error"] == (client == nil ? "peer did not return a certificate" : "certificate verify failed"), "\(logged)")
            }
        }

        @Test("a verified client without permission gets 403 problem+json, and the backend nothing")
        func unauthorizedIdentity() async throws {
            try await ProxyHarness.with { harness in
                let result = try await harness.curl("/v1/patients", as: .intruder)
                #expect(result.status == 403)
                #expect(result.header("content-type") == "application/problem+json")
                let problem = try #require(result.json)
                #expect(problem["code"] as? String == "forbidden")
                #expect(problem["status"] as? Int == 403)
                #expect(problem["title"] as? String == "Forbidden")
                #expect(problem["type"] is String)
                #expect(problem["detail"] is String)
                #expect(harness.backend.records().isEmpty)
            }
        }

        @Test("a route's allow list narrows the global one")
        func routeAllowListNarrows() async throws {
            try await ProxyHarness.with { harness in
                let writer = try await harness.curl("/v1/clinic/records", as: .writer)
                let reader = try await harness.curl("/v1/clinic/records", as: .reader)
                #expect(writer.status == 403)
                #expect(reader.status == 200)
                #expect(harness.backend.records().map(\.path) == ["/v1/clinic/records"])
            }
        }
    }
}

/// Hex SHA-256 of a PEM certificate's DER, computed by openssl (independently of sealgate).
func sha256OfCertificate(_ path: String) async throws -> String {
    let der = try await runProcess("openssl", ["x509", "-in", path, "-outform", "DER"])
    let digest = try await runProcess("openssl", ["dgst", "-sha256", "-r"], input: der.standardOutput)
    return String(digest.stdout.prefix(64))
}

extension EndToEndTests {
    @Suite("TLS options")
    struct TLSOptions {
        @Test("an HTTPS backend is verified and sees sealgate's client certificate")
        func httpsUpstream() async throws {
            let configuration = ProxyHarness.defaultConfiguration.replacingOccurrences(
                of: #"upstream: {url: "http://127.0.0.1:{BACKEND}", connect_timeout: 1s, timeout: 3s}"#,
                with: """
                    upstream:
                      url: "https://localhost:{BACKEND}"
                      tls: {ca: ca.pem, certificate: writer.pem, private_key: writer-key.pem}
                    """
            )
            try await ProxyHarness.with(configuration: configuration, httpsBackend: true) { harness in
                let first = try await harness.curl("/v1/patients/1")
                let second = try await harness.curl("/v1/patients/2", ["--http2"])
                #expect(first.status == 200)
                #expect(second.status == 200)
                #expect(first.echoed?.client_common_name == "writer")
                #expect(harness.backend.records().map(\.path) == ["/v1/patients/1", "/v1/patients/2"])
            }
        }

        @Test("an HTTPS backend with a certificate sealgate does not trust gives 502")
        func untrustedUpstream() async throws {
            let configuration = ProxyHarness.defaultConfiguration.replacingOccurrences(
                of: #"upstream: {url: "http://127.0.0.1:{BACKEND}", connect_timeout: 1s, timeout: 3s}"#,
                with: #"upstream: {url: "https://localhost:{BACKEND}", tls: {ca: untrusted.pem}}"#
            )
            try await ProxyHarness.with(configuration: configuration, httpsBackend: true) { harness in
                let result = try await harness.curl("/v1/patients/1")
                #expect(result.status == 502)
                #expect(harness.backend.records().isEmpty)
            }
        }

        @Test("TLS 1.2 is accepted once min_version is \"1.2\"", .requires("openssl"))
        func tls12OptIn() async throws {
            let configuration = ProxyHarness.defaultConfiguration.replacingOccurrences(
                of: "client_ca: ca.pem}",
                with: #"client_ca: ca.pem, min_version: "1.2"}"#
            )
            try await ProxyHarness.with(configuration: configuration) { harness in
                let result = try await harness.curl("/v1/patients", ["--tlsv1.2", "--tls-max", "1.2", "--http1.1"])
                #expect(result.status == 200)
            }
        }

        @Test("client_auth optional: no certificate is accepted as anonymous, a bad one still fails")
        func optionalClientAuth() async throws {
            let configuration = ProxyHarness.defaultConfiguration
                .replacingOccurrences(of: "client_ca: ca.pem}", with: "client_ca: ca.pem, client_auth: optional}")
                .replacingOccurrences(
                    of: """
                        authorization:
                          allow:
                            - uri: spiffe://example.org/ns/*/sa/writer
                            - dns: reader.clinic.internal
                        """,
                    with: ""
                )
            try await ProxyHarness.with(configuration: configuration) { harness in
                let anonymous = try await harness.curl("/v1/patients", as: nil)
                #expect(anonymous.status == 200)
                #expect(anonymous.echoed?.values("x-forwarded-client-cert") == [])
                let untrusted = try await harness.curl("/v1/patients", as: .untrusted)
                #expect(untrusted.exitCode != 0)
                let writer = try await harness.curl("/v1/patients", as: .writer)
                #expect(writer.echoed?.values("x-forwarded-client-cert").count == 1)
            }
        }
    }
}
