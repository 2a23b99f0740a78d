import Foundation
import NIOSSL
import SwiftASN1
import X509

/// Certificates read from one PEM file, in file order, both as NIOSSL objects (for TLS) and
/// parsed X.509 values (for identity and expiry).
public struct CertificateBundle: Sendable {
    /// The file the bundle was read from, as configured.
    public var path: String
    /// The certificates for NIOSSL.
    public var sslCertificates: [NIOSSLCertificate]
    /// The same certificates, parsed.
    public var certificates: [Certificate]

    /// Reads every certificate of a PEM file; a file without any certificate is an error.
    public init(path: String) throws(SealgateCertificatesError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SealgateCertificatesError(.unreadableFile, "cannot read \(path): \(Self.reason(error))")
        }
        let documents = (try? PEMDocument.parseMultiple(pemString: String(decoding: data, as: UTF8.self))) ?? []
        guard documents.contains(where: { $0.discriminator == "CERTIFICATE" }) else {
            throw SealgateCertificatesError(.emptyBundle, "\(path) holds no PEM certificate")
        }
        do {
            self.certificates = try documents.filter { $0.discriminator == "CERTIFICATE" }.map { try Certificate(pemDocument: $0) }
            self.sslCertificates = try NIOSSLCertificate.fromPEMBytes(Array(data))
        } catch {
            throw SealgateCertificatesError(.invalidCertificate, "\(path) holds an unparsable certificate: \(error)")
        }
        guard self.certificates.count == self.sslCertificates.count else {
            throw SealgateCertificatesError(.invalidCertificate, "\(path) holds a certificate that could not be read")
        }
        self.path = path
    }

    static func reason(_ error: any Error) -> String {
        if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError {
            return posix.localizedDescription
        }
        return (error as NSError).localizedDescription
    }
}
