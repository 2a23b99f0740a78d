import Foundation
import Testing

extension EndToEndTests {
    /// DESIGN.md "Lifecycle and trust rules": session ticket keys rotate on every reload of `client_ca`, so a client
    /// that was trusted under the old bundle cannot resume past a change of it.
    @Suite("Session tickets across a client_ca reload")
    struct TicketKeysOnReload {
        @Test("a session saved before client_ca is reloaded is not resumed after it")
        func clientCAReloadRotatesTicketKeys() async throws {
            try await ProxyHarness.with { harness in
                let session = harness.directory.appendingPathComponent("s.pem").path
                let certificate = (harness.pki.certificatePath(.writer), harness.pki.keyPath(.writer))
                let first = try await IdentityRecheck.sClient(harness, certificate: certificate, sessionOut: session)
                #expect(first.contains("HTTP/1.1 200"), "\(first)")
                let resumed = try await IdentityRecheck.sClient(harness, certificate: certificate, sessionIn: session)
                #expect(resumed.contains("Reused, TLSv1.3"), "\(resumed)")
                // The same bundle written again (a new file): the watcher reloads it.
                let bundle = try String(contentsOfFile: harness.pki.caPath, encoding: .utf8)
                try CertificateReload.replace(harness.pki.caPath, with: bundle)
                let deadline = Date() + 8
                while CertificateReload.reloads(harness).success == 0, Date() < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(CertificateReload.reloads(harness).success == 1)
                let afterReload = try await IdentityRecheck.sClient(harness, certificate: certificate, sessionIn: session)
                #expect(afterReload.contains("HTTP/1.1 200"), "\(afterReload)")
                #expect(afterReload.contains("New, TLSv1.3"), "\(afterReload)")
            }
        }
    }
}
