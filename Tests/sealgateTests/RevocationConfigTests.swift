import Foundation
import SealgateProxy
import Testing

@testable import sealgate

/// `listen.tls.crl`/`crl_stale` and `upstream.tls.crl` as the configuration file reads them.
@Suite("Configuration: CRLs")
struct RevocationConfigTests {
    @Test("crl without a CA to verify it against, an unreadable CRL, an unknown crl_stale and a non-CRL file are problems")
    func problems() throws {
        let fixture = try ConfigFileTests.Fixture()
        let withoutCA = """
            listen:
              address: 0.0.0.0:8443
              tls: {certificate: server.pem, private_key: server-key.pem, client_auth: none, crl: [ca.pem], crl_stale: sometimes}
            upstream: {url: "https://127.0.0.1:8080", tls: {crl: [missing.crl]}}
            """
        let messages = fixture.problems(withoutCA).map(\.message)
        #expect(messages.contains { $0.contains("listen.tls.crl needs listen.tls.client_ca") }, "\(messages)")
        #expect(messages.contains { $0.contains("upstream.tls.crl[0]") }, "\(messages)")
        #expect(messages.contains { $0.contains("upstream.tls.crl needs upstream.tls.ca") }, "\(messages)")
        #expect(messages.contains { $0.contains("listen.tls.crl_stale") }, "\(messages)")
        let notACRL = fixture.problems(ConfigFileTests.Fixture.minimal.replacingOccurrences(of: "client_ca: ca.pem}", with: "client_ca: ca.pem, crl: [ca.pem]}"))
        #expect(notACRL.contains { $0.message.contains("ca.pem: holds no PEM X509 CRL block") }, "\(notACRL)")
    }

    @Test("without crl, nothing is checked and crl_stale defaults to warn")
    func defaults() throws {
        let configuration = try ConfigFileTests.Fixture().load(ConfigFileTests.Fixture.minimal)
        #expect(configuration.proxy.listener.tls.revocation == RevocationSettings())
        #expect(configuration.proxy.listener.tls.revocation.stale == .warn)
    }
}
