import Foundation
import X509

/// The certificate revocation lists configured for one set of CAs (`listen.tls.crl` for the client CAs,
/// `upstream.tls.crl` for the backend's), each verified against the CA that issued it when loaded.
///
/// Where lists are configured, a certificate is accepted only if a list of its issuer is loaded and none revokes it:
/// a certificate from a CA without a list is refused too, since its revocations could not be known.
public struct CertificateRevocationSet: Sendable {
    /// A list with the file it came from.
    public struct Entry: Sendable, Hashable {
        public var list: CertificateRevocationList
        /// The file as configured.
        public var path: String
    }

    /// Every list, in file order.
    public let entries: [Entry]
    private let byIssuer: [DistinguishedName: [Entry]]

    /// Reads every list of `paths` (PEM or DER) and checks that one of `issuers` signed each.
    /// - Parameters:
    ///   - paths: the CRL files.
    ///   - issuers: the configured CA certificates that may sign them.
    /// - Throws: ``SealgateCertificatesError`` naming the file: unreadable, unparsable, or signed by no configured CA.
    public init(paths: [String], issuers: [Certificate]) throws(SealgateCertificatesError) {
        var entries: [Entry] = []
        for path in paths {
            let bytes: Data
            do {
                bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw SealgateCertificatesError(.unreadableFile, "cannot read \(path): \(CertificateBundle.reason(error))")
            }
            let lists: [CertificateRevocationList]
            do {
                lists = try CertificateRevocationList.all(inFile: Array(bytes))
            } catch {
                throw SealgateCertificatesError(.invalidRevocationList, "\(path): \(error.message)")
            }
            for list in lists {
                guard issuers.contains(where: list.isSigned(by:)) else {
                    throw SealgateCertificatesError(
                        .invalidRevocationList,
                        "\(path): the CRL of \(list.issuer) is not signed by any configured CA (no CA of that name, or its key does not verify the signature)"
                    )
                }
                entries.append(Entry(list: list, path: path))
            }
        }
        self.entries = entries
        self.byIssuer = Dictionary(grouping: entries, by: \.list.issuer)
    }

    /// Whether a certificate from `issuer` with `serial` may be accepted at `now`.
    /// - Parameters:
    ///   - issuer: the certificate's issuer name.
    ///   - serial: its serial number.
    ///   - now: the time of the check.
    ///   - refuseStale: refuse when every list of the issuer is past its nextUpdate (`crl_stale: refuse`).
    public func verdict(
        issuer: DistinguishedName,
        serial: Certificate.SerialNumber,
        at now: Date,
        refuseStale: Bool
    ) -> RevocationVerdict {
        guard let lists = self.byIssuer[issuer], !lists.isEmpty else { return .noList }
        if let revoking = lists.first(where: { $0.list.revokes(serial: serial) }) { return .revoked(by: revoking) }
        if refuseStale, let freshest = lists.max(by: { $0.list.nextUpdate < $1.list.nextUpdate }), freshest.list.isStale(at: now) {
            return .stale(freshest)
        }
        return .good
    }

    /// The verdict on `certificate` as an error to refuse it with, or nil when it may be accepted.
    public func refusal(of certificate: Certificate, at now: Date, refuseStale: Bool) -> SealgateCertificatesError? {
        let verdict = self.verdict(issuer: certificate.issuer, serial: certificate.serialNumber, at: now, refuseStale: refuseStale)
        return verdict.refusal(subject: certificate.subject.description, issuer: certificate.issuer.description, serial: certificate.serialNumber)
    }

    /// Each list as the certificate monitor watches it.
    public func watched(role: CertificateRole) -> [WatchedCertificate] {
        self.entries.map { WatchedCertificate(role: role, path: $0.path, summary: CertificateSummary(revocationList: $0.list)) }
    }
}
