import Foundation
import SealgateTestSupport
import Testing

extension EndToEndTests {
    /// `listen.tls.session_resumption: false`: a saved session never resumes, every connection does a full handshake
    /// (and so presents and verifies its certificate); with the default, the same session resumes.
    @Suite("Session resumption off", .requires("openssl"))
    struct SessionResumptionOff {
        static func connectTwice(_ harness: ProxyHarness) async throws -> (first: String, second: String) {
            let session = harness.directory.appendingPathComponent("session-\(UUID().uuidString).pem").path
            func sClient(_ options: [String]) async throws -> String {
                let arguments = [
                    "s_client", "-ign_eof", "-connect", "127.0.0.1:\(harness.proxy.port)", "-servername", "localhost",
                    "-CAfile", harness.pki.caPath, "-cert", harness.pki.certificatePath(.writer), "-key", harness.pki.keyPath(.writer),
                ] + options
                let request = "GET /v1/patients HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                return try await runProcess("openssl", arguments, input: Data(request.utf8), timeout: .seconds(15)).stdout
            }
            return (try await sClient(["-sess_out", session]), try await sClient(["-sess_in", session]))
        }

        @Test("with session_resumption: false a saved session does not resume; by default it does")
        func noResumption() async throws {
            let off = ProxyHarness.defaultConfiguration.replacingOccurrences(
                of: "client_ca: ca.pem}", with: "client_ca: ca.pem, session_resumption: false}"
            )
            #expect(off != ProxyHarness.defaultConfiguration)
            try await ProxyHarness.with(configuration: off) { harness in
                let (first, second) = try await Self.connectTwice(harness)
                #expect(first.contains("HTTP/1.1 200"), "\(first)")
                #expect(second.contains("HTTP/1.1 200"), "\(second)")
                #expect(second.contains("New, TLSv1.3") && !second.contains("Reused"), "\(second)")
            }
            try await ProxyHarness.with { harness in
                let (_, second) = try await Self.connectTwice(harness)
                #expect(second.contains("Reused, TLSv1.3"), "\(second)")
            }
        }
    }
}
