import Foundation
import SealgateCertificates
import SealgateTestSupport
import Testing

extension EndToEndTests {
    /// DESIGN.md "Lifecycle and trust rules": `listen.tls.crl` and `crl_stale`, CRLs made by `openssl ca -gencrl` and by
    /// Python cryptography.
    @Suite("Client certificate revocation (listen.tls.crl)")
    struct Revocation {
        /// The harness's configuration with `listen.tls.crl: [crl.pem]` (and `extra` in `listen.tls`).
        static func configuration(_ extra: String = "", crl: String = "crl.pem") -> String {
            ProxyHarness.defaultConfiguration
                .replacingOccurrences(of: "client_ca: ca.pem}", with: "client_ca: ca.pem, crl: [\(crl)]\(extra)}")
                .replacingOccurrences(of: "idle_timeout: 5s", with: "idle_timeout: 30s")
        }

        static func crlPath(_ harness: ProxyHarness) -> String { harness.directory.appendingPathComponent("crl.pem").path }

        static func serial(_ harness: ProxyHarness, _ client: TestPKI.Client) throws -> String {
            try #require(try CertificateBundle(path: harness.pki.certificatePath(client)).summaries.first).serial
        }

        /// Waits (up to 10 s) until sealgate has logged `count` lines with `message`.
        static func waitForLog(_ harness: ProxyHarness, _ message: String, count: Int = 1) async throws {
            for _ in 0..<500 where harness.proxy.logEntries().filter({ $0["msg"] == message }).count < count {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(harness.proxy.logEntries().filter { $0["msg"] == message }.count >= count, "no \(count) × \(message)")
        }

        static func metrics(_ harness: ProxyHarness) async throws -> String {
            try await HTTPResult.curl(["http://127.0.0.1:\(harness.proxy.adminPort ?? 0)/metrics"], in: harness.directory).bodyText
        }

        @Test("a revoked client certificate fails the handshake, with a log line naming it and the CRL; others get in")
        func revokedFailsHandshake() async throws {
            let prepare: (URL) async throws -> Void = { directory in
                try await TestCRL.openssl(revoking: ["reader.pem"], in: directory, to: directory.appendingPathComponent("crl.pem").path)
            }
            try await ProxyHarness.with(configuration: Self.configuration(), prepare: prepare) { harness in
                let revoked = try await harness.curl("/v1/clinic/notes", as: .reader, ["--http1.1"])
                #expect(revoked.exitCode != 0)
                #expect(revoked.status == 0)
                #expect(try await harness.curl("/v1/patients", as: .writer).status == 200)
                #expect(harness.backend.records().count == 1)
                let logged = try #require(harness.proxy.logEntries().first { $0["msg"] == "client certificate refused by the CRLs" })
                #expect(logged["serial"] == (try Self.serial(harness, .reader)))
                #expect(logged["subject"]?.contains("CN=reader") == true)
                #expect(logged["crl"] == Self.crlPath(harness))
                let failed = try #require(harness.proxy.logEntries().first { $0["msg"] == "tls handshake failed" })
                #expect(failed["reason"] == "certificate_revoked")
                #expect(try await Self.metrics(harness).contains(#"sealgate_tls_handshake_failures_total{reason="certificate_revoked"} 1"#))
            }
        }

        @Test("a revocation that arrives by reload: the next request on an open kept-alive connection gets 401 certificate_revoked and the connection closes")
        func revocationByReload() async throws {
            let prepare: (URL) async throws -> Void = { directory in
                try await TestCRL.openssl(revoking: [], in: directory, to: directory.appendingPathComponent("crl.pem").path)
            }
            try await ProxyHarness.with(configuration: Self.configuration(), prepare: prepare) { harness in
                let (responses, closed) = try await harness.twoRequestsOnOneConnection("/v1/patients/7") {
                    try await TestCRL.openssl(revoking: ["writer.pem"], in: harness.directory, to: Self.crlPath(harness))
                    kill(harness.proxy.pid, SIGHUP)
                    try await Self.waitForLog(harness, "certificates reloaded")
                }
                #expect(responses.first?["status"] as? Int == 200)
                #expect(responses.last?["status"] as? Int == 401)
                #expect(responses.last?["code"] as? String == "certificate_revoked")
                #expect(responses.last?["connection"] as? String == "close")
                #expect(closed == true)
                #expect(harness.backend.records().count == 1)
            }
        }

        @Test("a broken CRL on reload keeps the last good set and counts a failure")
        func brokenCRLOnReload() async throws {
            let prepare: (URL) async throws -> Void = { directory in
                try await TestCRL.openssl(revoking: ["reader.pem"], in: directory, to: directory.appendingPathComponent("crl.pem").path)
            }
            try await ProxyHarness.with(configuration: Self.configuration(), prepare: prepare) { harness in
                try "-----BEGIN X509 CRL-----\nnot base64\n-----END X509 CRL-----\n".write(toFile: Self.crlPath(harness), atomically: true, encoding: .utf8)
                kill(harness.proxy.pid, SIGHUP)
                try await Self.waitForLog(harness, "certificates not reloaded: keeping the ones in use")
                #expect(try await Self.metrics(harness).contains(#"sealgate_certificate_reloads_total{result="failure"} 1"#))
                #expect(try await harness.curl("/v1/clinic/notes", as: .reader).status == 0, "the reader's revocation was kept")
                #expect(try await harness.curl("/v1/patients", as: .writer).status == 200)
            }
        }

        /// A DER CRL made with Python cryptography that went stale a minute ago, revoking nothing.
        static func staleCRL(_ directory: URL) async throws {
            try await TestCRL.python(in: directory, nextUpdate: -60, to: directory.appendingPathComponent("crl.der").path)
        }

        @Test("crl_stale: refuse: a handshake fails once the CRL is past its nextUpdate", .enabled(if: TestCRL.pythonAvailable, "needs Python cryptography"))
        func staleRefused() async throws {
            try await ProxyHarness.with(configuration: Self.configuration(", crl_stale: refuse", crl: "crl.der"), prepare: { try await Self.staleCRL($0) }) { harness in
                let result = try await harness.curl("/v1/patients", as: .writer)
                #expect(result.exitCode != 0)
                #expect(harness.backend.records().isEmpty)
                let failed = try #require(harness.proxy.logEntries().first { $0["msg"] == "tls handshake failed" })
                #expect(failed["reason"] == "crl_stale")
                #expect(failed["error"]?.contains("stale") == true)
            }
        }

        @Test("crl_stale: warn (the default): handshakes go on; /certs shows the CRL expired, with its metric and alert", .enabled(if: TestCRL.pythonAvailable, "needs Python cryptography"))
        func staleWarned() async throws {
            try await ProxyHarness.with(configuration: Self.configuration(crl: "crl.der"), prepare: { try await Self.staleCRL($0) }) { harness in
                #expect(try await harness.curl("/v1/patients", as: .writer).status == 200)
                let certs = try await HTTPResult.curl(["http://127.0.0.1:\(harness.proxy.adminPort ?? 0)/certs"], in: harness.directory)
                let entries = try #require(certs.json?["certificates"] as? [[String: Any]])
                let crl = try #require(entries.first { $0["role"] as? String == "crl" })
                #expect(crl["state"] as? String == "expired")
                #expect(crl["path"] as? String == harness.directory.appendingPathComponent("crl.der").path)
                #expect((crl["expires_in_seconds"] as? Int ?? 0) < 0)
                let caSubject = try #require(try CertificateBundle(path: harness.pki.caPath).summaries.first).subject
                #expect(crl["issuer"] as? String == caSubject)
                let metrics = try await Self.metrics(harness)
                #expect(metrics.contains("# HELP sealgate_crl_next_update_timestamp_seconds"))
                #expect(metrics.contains("sealgate_crl_next_update_timestamp_seconds{"))
                try await Self.waitForLog(harness, "The CRL of \(caSubject) is stale")
                #expect(harness.proxy.logEntries().contains { $0["alertname"] == "SealgateCRLStale" })
            }
        }

        @Test("a CRL no configured CA signed is refused at start, naming the file")
        func unsignedCRLRefusedAtStart() async throws {
            let directory = try TestEnvironment.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            _ = try TestPKI(in: directory)
            // The CRL is signed by the CA, but the configuration trusts another CA under client_ca.
            try await TestCRL.openssl(revoking: [], in: directory, to: directory.appendingPathComponent("crl.pem").path)
            let other = try DevelopmentPKI.makeCA(commonName: "other CA", notBefore: Date() - 60, notAfter: Date() + 86_400)
            try DevelopmentPKI.write(other, name: "other-ca", in: directory)
            let configuration = Self.configuration().replacingOccurrences(of: "client_ca: ca.pem", with: "client_ca: other-ca.pem")
                .replacingOccurrences(of: "{BACKEND}", with: "9")
            let path = directory.appendingPathComponent("sealgate.yaml").path
            try configuration.write(toFile: path, atomically: true, encoding: .utf8)
            let output = try await runProcess(TestEnvironment.sealgateBinary, ["check-config", path])
            #expect(output.status != 0)
            #expect((output.stdout + output.stderr).contains("crl.pem: the CRL of"), "\(output.stdout) \(output.stderr)")
            #expect((output.stdout + output.stderr).contains("not signed by any configured CA"))
        }
    }
}
