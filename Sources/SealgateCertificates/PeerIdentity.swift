import Crypto
import Foundation
import SealgateCrypto
import SwiftASN1
import X509

/// Who a verified client is: the names sealgate authorizes on and forwards to the backend.
public struct PeerIdentity: Sendable, Hashable {
    /// The subject distinguished name in RFC 4514 form.
    public var subject: String
    /// Common names in the subject.
    public var commonNames: [String]
    /// URI subject alternative names (SPIFFE IDs among them).
    public var uris: [String]
    /// DNS subject alternative names.
    public var dnsNames: [String]
    /// Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo.
    public var spkiSHA256: String
    /// Lower-case hex SHA-256 of the certificate DER.
    public var certificateSHA256: String
    /// The leaf's notBefore, kept so that each request checks validity with a comparison, not a parse.
    public var notValidBefore: Date
    /// The leaf's notAfter.
    public var notValidAfter: Date
    /// The leaf's issuer, with ``serialNumber`` what revocation lists name it by.
    public var issuer: DistinguishedName
    /// The leaf's serial number.
    public var serialNumber: Certificate.SerialNumber

    /// Reads the identity of a certificate.
    /// - Parameter derBytes: the DER encoding of the leaf certificate.
    public init(derBytes: [UInt8]) throws {
        let certificate = try Certificate(derEncoded: derBytes)
        self.subject = certificate.subject.description
        self.commonNames = certificate.subject.flatMap { $0 }
            .filter { $0.type == .RDNAttributeType.commonName }
            .compactMap { String($0.value) }
        let names = try certificate.extensions.subjectAlternativeNames.map(Array.init) ?? []
        self.uris = names.compactMap {
            if case .uniformResourceIdentifier(let uri) = $0 { uri } else { nil }
        }
        self.dnsNames = names.compactMap {
            if case .dnsName(let name) = $0 { name } else { nil }
        }
        var serializer = DER.Serializer()
        try serializer.serialize(certificate.publicKey)
        self.spkiSHA256 = SHA256.hash(data: serializer.serializedBytes).hexString
        self.certificateSHA256 = SHA256.hash(data: derBytes).hexString
        self.notValidBefore = certificate.notValidBefore
        self.notValidAfter = certificate.notValidAfter
        self.issuer = certificate.issuer
        self.serialNumber = certificate.serialNumber
    }
}
