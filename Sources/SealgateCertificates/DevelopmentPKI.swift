import Crypto
import Foundation
import SwiftASN1
import X509

/// Makes certificates for development and tests with swift-certificates: a CA, and leaf
/// certificates it signs, with P-256 keys. Nothing here is meant for production.
public enum DevelopmentPKI {
    /// A certificate with its private key, both PEM-encodable.
    public struct Issued: Sendable {
        public var certificate: Certificate
        public var privateKey: P256.Signing.PrivateKey

        /// The certificate in PEM, ending with a newline like every PEM file (so files concatenate into bundles).
        public var certificatePEM: String {
            get throws { Self.terminated(try self.certificate.serializeAsPEM().pemString) }
        }

        /// The private key in PKCS#8 PEM, ending with a newline.
        public var privateKeyPEM: String { Self.terminated(self.privateKey.pemRepresentation) }

        private static func terminated(_ pem: String) -> String { pem.hasSuffix("\n") ? pem : pem + "\n" }
    }

    /// What a leaf certificate is for, written into its extended key usage.
    public enum Usage: Sendable {
        case server
        case client
        /// Both serverAuth and clientAuth.
        case serverAndClient
        /// No extended key usage extension at all.
        case unrestricted
    }

    /// A self-signed CA.
    /// - Parameters:
    ///   - commonName: the CA's name.
    ///   - notBefore: start of validity.
    ///   - notAfter: end of validity.
    public static func makeCA(commonName: String, notBefore: Date, notAfter: Date) throws -> Issued {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("sealgate development")
            CommonName(commonName)
        }
        let publicKey = Certificate.PublicKey(key.publicKey)
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: publicKey)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: publicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: .init(key)
        )
        return Issued(certificate: certificate, privateKey: key)
    }

    /// A leaf certificate signed by `issuer`.
    /// - Parameters:
    ///   - issuer: the signing CA.
    ///   - commonName: the subject common name.
    ///   - usage: server, client, or both.
    ///   - dnsNames: DNS SANs.
    ///   - ipAddresses: IP SANs as dotted IPv4 or IPv6 text.
    ///   - uris: URI SANs such as SPIFFE IDs.
    ///   - notBefore: start of validity.
    ///   - notAfter: end of validity.
    public static func issue(
        by issuer: Issued,
        commonName: String,
        usage: Usage,
        dnsNames: [String] = [],
        ipAddresses: [String] = [],
        uris: [String] = [],
        notBefore: Date,
        notAfter: Date
    ) throws -> Issued {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("sealgate development")
            CommonName(commonName)
        }
        var names = dnsNames.map(GeneralName.dnsName) + uris.map(GeneralName.uniformResourceIdentifier)
        for address in ipAddresses {
            names.append(.ipAddress(ASN1OctetString(contentBytes: try Self.ipBytes(address)[...])))
        }
        let usages: [ExtendedKeyUsage.Usage]? =
            switch usage {
            case .server: [.serverAuth]
            case .client: [.clientAuth]
            case .serverAndClient: [.serverAuth, .clientAuth]
            case .unrestricted: nil
            }
        let publicKey = Certificate.PublicKey(key.publicKey)
        let issuerKey = Certificate.PublicKey(issuer.privateKey.publicKey)
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            SubjectKeyIdentifier(hash: publicKey)
            AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: issuerKey).keyIdentifier)
            if !names.isEmpty { SubjectAlternativeNames(names) }
            if let usages { try ExtendedKeyUsage(usages) }
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: .init(),
            publicKey: publicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: issuer.certificate.subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: .init(issuer.privateKey)
        )
        return Issued(certificate: certificate, privateKey: key)
    }

    private static func ipBytes(_ address: String) throws -> [UInt8] {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        throw SealgateCertificatesError(.invalidPattern, "\(address) is not an IP address")
    }
}
