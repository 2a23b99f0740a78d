import Foundation
import SealgateCertificates
import SealgateTestSupport
import Testing

extension EndToEndTests {
    /// DESIGN.md "Lifecycle and trust rules": a request is authorized by the configuration current now, also on a
    /// connection opened before a reload.
    @Suite("Client CA reload re-checks open connections")
    struct ClientCAReload {
        static let keepAliveClient = TestEnvironment.testsDirectory.appendingPathComponent("Fixtures/keepalive_client.py").path

        @Test("after client_ca is replaced by another CA and SIGHUP, the next request on a kept-alive connection gets 401 certificate_untrusted and the connection closes")
        func replacedClientCA() async throws {
            let configuration = ProxyHarness.defaultConfiguration.replacingOccurrences(of: "idle_timeout: 5s", with: "idle_timeout: 30s")
            try await ProxyHarness.with(configuration: configuration) { harness in
                let go = harness.directory.appendingPathComponent("go").path
                async let client = runProcess(
                    "python3",
                    [
                        Self.keepAliveClient, String(harness.proxy.port), harness.pki.caPath, harness.pki.certificatePath(.writer),
                        harness.pki.keyPath(.writer), "/v1/patients/7", "file:\(go)",
                    ],
                    timeout: .seconds(30)
                )
                for _ in 0..<500 where harness.backend.records().isEmpty { try await Task.sleep(for: .milliseconds(20)) }
                let other = try DevelopmentPKI.makeCA(commonName: "replacement CA", notBefore: Date() - 60, notAfter: Date() + 86_400)
                try EndToEndTests.CertificateReload.replace(harness.pki.caPath, with: try other.certificatePEM)
                kill(harness.proxy.pid, SIGHUP)
                try await EndToEndTests.Revocation.waitForLog(harness, "certificates reloaded")
                _ = FileManager.default.createFile(atPath: go, contents: nil)
                let output = try await client
                let result = try #require(try JSONSerialization.jsonObject(with: output.standardOutput) as? [String: Any], "\(output.stderr)")
                let responses = try #require(result["responses"] as? [[String: Any]])
                #expect(responses.first?["status"] as? Int == 200)
                #expect(responses.last?["status"] as? Int == 401)
                #expect(responses.last?["code"] as? String == "certificate_untrusted")
                #expect(result["closed"] as? Bool == true)
                #expect(harness.backend.records().count == 1)
            }
        }
    }
}
