import Foundation
import SealgateCertificates

extension PeerIdentity {
    /// The identity of a freshly issued client certificate with one URI SAN.
    static func testIdentity(uri: String, commonName: String = "test") throws -> PeerIdentity {
        let now = Date()
        let ca = try DevelopmentPKI.makeCA(commonName: "unit CA", notBefore: now - 60, notAfter: now + 3600)
        let leaf = try DevelopmentPKI.issue(by: ca, commonName: commonName, usage: .client, uris: [uri], notBefore: now - 60, notAfter: now + 3600)
        let pem = try leaf.certificatePEM
        let base64 = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return try PeerIdentity(derBytes: Array(Data(base64Encoded: base64)!))
    }
}
