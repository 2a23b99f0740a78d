import Crypto
import Foundation
import SealgateCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SwiftASN1
import X509

/// What sealgate reports about one certificate: its names, issuer, serial, fingerprint and validity.
public struct CertificateSummary: Sendable, Hashable {
    /// The subject in RFC 4514 form.
    public var subject: String
    /// The issuer in RFC 4514 form.
    public var issuer: String
    /// The serial number in lower-case hex, without leading zero bytes.
    public var serial: String
    /// Lower-case hex SHA-256 of the DER encoding: the certificate's fingerprint.
    public var sha256: String
    /// URI subject alternative names.
    public var uris: [String]
    /// DNS subject alternative names.
    public var dnsNames: [String]
    /// IP address subject alternative names.
    public var ipAddresses: [String]
    /// Start of validity.
    public var notBefore: Date
    /// End of validity.
    public var notAfter: Date

    public init(
        subject: String,
        issuer: String,
        serial: String,
        sha256: String,
        uris: [String],
        dnsNames: [String],
        ipAddresses: [String],
        notBefore: Date,
        notAfter: Date
    ) {
        self.subject = subject
        self.issuer = issuer
        self.serial = serial
        self.sha256 = sha256
        self.uris = uris
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    /// Summarizes a parsed certificate.
    public init(_ certificate: Certificate) throws {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        self.init(certificate, derBytes: serializer.serializedBytes)
    }

    /// Summarizes a certificate given in DER.
    public init(derBytes: [UInt8]) throws {
        self.init(try Certificate(derEncoded: derBytes), derBytes: derBytes)
    }

    private init(_ certificate: Certificate, derBytes: [UInt8]) {
        self.subject = certificate.subject.description
        self.issuer = certificate.issuer.description
        self.serial = Self.hex(certificate.serialNumber)
        self.sha256 = SHA256.hash(data: derBytes).hexString
        let names = ((try? certificate.extensions.subjectAlternativeNames) ?? nil).map(Array.init) ?? []
        self.uris = names.compactMap { if case .uniformResourceIdentifier(let uri) = $0 { uri } else { nil } }
        self.dnsNames = names.compactMap { if case .dnsName(let name) = $0 { name } else { nil } }
        self.ipAddresses = names.compactMap { if case .ipAddress(let bytes) = $0 { Self.ipText(bytes.bytes) } else { nil } }
        self.notBefore = certificate.notValidBefore
        self.notAfter = certificate.notValidAfter
    }

    /// Summarizes a revocation list as the monitor watches it: `issuer` and `subject` are the list's issuer, `serial`
    /// its cRLNumber (empty without one), `notBefore` its thisUpdate and `notAfter` its nextUpdate.
    public init(revocationList list: CertificateRevocationList) {
        self.init(
            subject: list.issuer.description, issuer: list.issuer.description, serial: list.number ?? "", sha256: list.sha256,
            uris: [], dnsNames: [], ipAddresses: [], notBefore: list.thisUpdate, notAfter: list.nextUpdate
        )
    }

    /// A serial number in lower-case hex, without leading zero bytes.
    public static func hex(_ serial: Certificate.SerialNumber) -> String {
        let bytes = serial.bytes.drop { $0 == 0 }
        return bytes.isEmpty ? "00" : bytes.hexString
    }

    private static func ipText(_ bytes: ArraySlice<UInt8>) -> String? {
        switch bytes.count {
        case 4:
            return bytes.map(String.init).joined(separator: ".")
        case 16:
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            let written = Array(bytes).withUnsafeBytes { inet_ntop(AF_INET6, $0.baseAddress, &text, socklen_t(text.count)) }
            return written.map { _ in String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        default:
            return nil
        }
    }
}

extension CertificateBundle {
    /// A summary of each certificate of the bundle, in file order.
    public var summaries: [CertificateSummary] {
        get throws { try self.certificates.map(CertificateSummary.init) }
    }
}
