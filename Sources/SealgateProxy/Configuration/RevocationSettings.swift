/// Certificate revocation lists for one TLS side (`listen.tls.crl`/`crl_stale`, `upstream.tls.crl`/`crl_stale`).
public struct RevocationSettings: Sendable, Hashable {
    /// What a handshake does once a CRL is past its nextUpdate.
    public enum StalePolicy: String, Sendable, CaseIterable {
        /// Handshakes go on; the certificate monitor alerts.
        case warn
        /// New handshakes with certificates of that CA fail.
        case refuse
    }

    /// CRL files, PEM or DER; none means no revocation checking.
    public var paths: [String]
    /// What a stale CRL does to handshakes.
    public var stale: StalePolicy

    /// - Parameters:
    ///   - paths: CRL files, PEM or DER.
    ///   - stale: what a CRL past its nextUpdate does to new handshakes.
    public init(paths: [String] = [], stale: StalePolicy = .warn) {
        self.paths = paths
        self.stale = stale
    }
}
