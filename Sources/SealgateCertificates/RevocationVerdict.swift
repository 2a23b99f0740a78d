import X509

/// What the configured revocation lists say about one certificate.
public enum RevocationVerdict: Sendable, Hashable {
    /// A list of its issuer is loaded (and fresh, where staleness is refused) and does not revoke it.
    case good
    /// A list revokes it.
    case revoked(by: CertificateRevocationSet.Entry)
    /// No list of its issuer is loaded.
    case noList
    /// Every list of its issuer is past its nextUpdate and stale lists are refused.
    case stale(CertificateRevocationSet.Entry)

    /// The error to refuse the certificate with, naming it and the list; nil for ``good``.
    /// - Parameters:
    ///   - subject: the certificate's subject, for the message.
    ///   - issuer: its issuer.
    ///   - serial: its serial number.
    public func refusal(subject: String, issuer: String, serial: Certificate.SerialNumber) -> SealgateCertificatesError? {
        let serialText = CertificateSummary.hex(serial)
        let certificate = "certificate \(subject) (serial \(serialText), issuer \(issuer))"
        switch self {
        case .good:
            return nil
        case .revoked(let entry):
            return SealgateCertificatesError(.certificateRevoked, "\(certificate) is revoked by the CRL in \(entry.path)")
        case .noList:
            return SealgateCertificatesError(.certificateRevoked, "\(certificate): no CRL of its issuer is configured, so its revocation is unknown")
        case .stale(let entry):
            return SealgateCertificatesError(
                .revocationListStale,
                "\(certificate): the CRL in \(entry.path) is stale (nextUpdate \(entry.list.nextUpdate.rfc3339) has passed) and crl_stale is refuse"
            )
        }
    }
}
