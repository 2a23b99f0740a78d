import Foundation
import NIOHTTP1
import SealgateCertificates
import Testing

@testable import SealgateProxy

/// The per-request validity check of a connection's client certificate, as a table of instants.
@Suite("Client certificate validity per request")
struct ClientValidityTests {
    static let identity: PeerIdentity = {
        var identity = try! PeerIdentity.testIdentity(uri: "spiffe://example.org/ns/intake/sa/writer")
        identity.notValidBefore = Date(timeIntervalSince1970: 1_000)
        identity.notValidAfter = Date(timeIntervalSince1970: 2_000)
        return identity
    }()

    @Test(
        "validity is checked against the request's time",
        arguments: [
            (999.0, "certificate_not_yet_valid"),
            (1_000.0, nil),
            (1_500.0, nil),
            (2_000.0, nil),
            (2_000.5, "certificate_expired"),
        ] as [(Double, String?)]
    )
    func table(seconds: Double, code: String?) {
        let client = ClientConnection(identity: Self.identity)
        var refusal: Problem?
        do {
            try client.checkValidity(at: Date(timeIntervalSince1970: seconds))
        } catch {
            refusal = error
        }
        #expect(refusal?.code == code)
        if let refusal {
            #expect(refusal.status == .unauthorized)
            #expect(refusal.closesConnection && refusal.closesEveryStream)
        }
    }

    @Test("a connection without a client certificate has nothing to check")
    func anonymous() throws {
        try ClientConnection(identity: nil).checkValidity(at: .distantFuture)
    }
}
