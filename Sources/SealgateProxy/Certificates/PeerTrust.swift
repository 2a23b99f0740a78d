import Foundation
import SealgateCertificates
import X509

/// What decides, beyond BoringSSL's chain verification, whether a peer certificate is trusted: the revocation lists
/// loaded now and, for clients, the names of the CAs trusted now. A reload makes a new one, so that a connection
/// can tell by identity (`===`) whether it has already been checked against the current one.
final class PeerTrust: Sendable {
    /// The subjects of the trusted CAs; nil when any issuer BoringSSL verified is fine (the backend side).
    let caSubjects: Set<DistinguishedName>?
    /// The revocation lists; nil when none are configured.
    let revocations: CertificateRevocationSet?
    /// What a stale list does to handshakes.
    let stale: RevocationSettings.StalePolicy

    init(caSubjects: Set<DistinguishedName>?, revocations: CertificateRevocationSet?, stale: RevocationSettings.StalePolicy) {
        self.caSubjects = caSubjects
        self.revocations = revocations
        self.stale = stale
    }

    /// Loads the revocation lists of `settings`, verified against `issuers`; nil without lists or CA names to check.
    static func load(_ settings: RevocationSettings, issuers: [Certificate], checksIssuerNames: Bool) throws -> PeerTrust? {
        let revocations = settings.paths.isEmpty ? nil : try CertificateRevocationSet(paths: settings.paths, issuers: issuers)
        guard revocations != nil || checksIssuerNames else { return nil }
        return PeerTrust(
            caSubjects: checksIssuerNames ? Set(issuers.map(\.subject)) : nil,
            revocations: revocations,
            stale: settings.stale
        )
    }

    /// The verdict on a certificate presented in a handshake at `now`: revoked, from a CA without a list, or (with
    /// `crl_stale: refuse`) from a CA whose lists are all stale.
    func handshakeVerdict(issuer: DistinguishedName, serial: Certificate.SerialNumber, at now: Date) -> RevocationVerdict {
        self.revocations?.verdict(issuer: issuer, serial: serial, at: now, refuseStale: self.stale == .refuse) ?? .good
    }

    /// The refusal of a request on a connection whose handshake was checked against `handshakeTrust`, an older trust:
    /// its certificate is revoked by the lists loaded since, or its issuer, a trusted CA then, is not one any more.
    /// (An issuer that was not itself a configured CA, an intermediate the client sent, is not re-checked by name.)
    /// Staleness only stops new handshakes.
    func requestRefusal(of identity: PeerIdentity, handshakeTrust: PeerTrust?) -> Problem? {
        if let caSubjects = self.caSubjects, handshakeTrust?.caSubjects?.contains(identity.issuer) ?? false,
            !caSubjects.contains(identity.issuer)
        {
            return .certificateUntrusted(issuer: identity.issuer.description)
        }
        switch self.revocations?.verdict(issuer: identity.issuer, serial: identity.serialNumber, at: Date(), refuseStale: false) ?? .good {
        case .good, .stale: return nil
        case .revoked, .noList: return .certificateRevoked(serial: CertificateSummary.hex(identity.serialNumber))
        }
    }
}
