import Foundation
import SealgateCertificates
import SealgateTestSupport
import Testing

extension EndToEndTests {
    /// DESIGN.md "Lifecycle and trust rules": a request is authorized by the configuration current now, also on a
    /// connection opened before a reload.
    @Suite("Client CA reload re-checks open connections")
    struct ClientCAReload {
        @Test("after client_ca is replaced by another CA and SIGHUP, the next request on a kept-alive connection gets 401 certificate_untrusted and the connection closes")
        func replacedClientCA() async throws {
            let configuration = ProxyHarness.defaultConfiguration.replacingOccurrences(of: "idle_timeout: 5s", with: "idle_timeout: 30s")
            try await ProxyHarness.with(configuration: configuration) { harness in
                let (responses, closed) = try await harness.twoRequestsOnOneConnection("/v1/patients/7") {
                    let other = try DevelopmentPKI.makeCA(commonName: "replacement CA", notBefore: Date() - 60, notAfter: Date() + 86_400)
                    try EndToEndTests.CertificateReload.replace(harness.pki.caPath, with: try other.certificatePEM)
                    kill(harness.proxy.pid, SIGHUP)
                    try await EndToEndTests.Revocation.waitForLog(harness, "certificates reloaded")
                }
                #expect(responses.first?["status"] as? Int == 200)
                #expect(responses.last?["status"] as? Int == 401)
                #expect(responses.last?["code"] as? String == "certificate_untrusted")
                #expect(closed == true)
                #expect(harness.backend.records().count == 1)
            }
        }
    }
}
