import Foundation
import NIOSSL
import X509

/// A certificate chain (leaf first) with the private key of its leaf, checked to belong together.
public struct ServerIdentity: Sendable {
    /// The chain, leaf first.
    public var chain: CertificateBundle
    /// The leaf's private key.
    public var privateKey: NIOSSLPrivateKey

    /// Loads a chain and its key, refusing a key that does not match the leaf certificate.
    /// - Parameters:
    ///   - certificatePath: PEM file with the chain, leaf first.
    ///   - privateKeyPath: PEM file with the leaf's private key.
    public init(certificatePath: String, privateKeyPath: String) throws(SealgateCertificatesError) {
        self.chain = try CertificateBundle(path: certificatePath)
        let keyPEM: String
        do {
            keyPEM = try String(contentsOfFile: privateKeyPath, encoding: .utf8)
        } catch {
            throw SealgateCertificatesError(
                .unreadableFile,
                "cannot read \(privateKeyPath): \(CertificateBundle.reason(error))"
            )
        }
        let parsedKey: Certificate.PrivateKey
        do {
            self.privateKey = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
            parsedKey = try Certificate.PrivateKey(pemEncoded: keyPEM)
        } catch {
            throw SealgateCertificatesError(.invalidPrivateKey, "\(privateKeyPath) holds no usable private key")
        }
        guard parsedKey.publicKey == self.chain.certificates[0].publicKey else {
            throw SealgateCertificatesError(
                .keyDoesNotMatchCertificate,
                "the private key in \(privateKeyPath) does not match the certificate in \(certificatePath)"
            )
        }
    }

    /// The leaf certificate.
    public var leaf: Certificate { self.chain.certificates[0] }
}

extension ServerIdentity {
    /// The URI SANs of the leaf (sealgate's own SPIFFE ID, written as `By=` in XFCC).
    public var leafURIs: [String] {
        let names = (try? self.leaf.extensions.subjectAlternativeNames).flatMap { $0 }.map(Array.init) ?? []
        return names.compactMap { if case .uniformResourceIdentifier(let uri) = $0 { uri } else { nil } }
    }
}
