import Foundation
import Logging
import NIOCore
import NIOSSL
import SealgateCertificates
import SwiftASN1
import X509

/// Checks a peer's leaf certificate against the revocation lists after BoringSSL has verified its chain: NIOSSL's
/// additional verification callback, so that a revoked (or, with `crl_stale: refuse`, unknowable) certificate fails
/// the handshake. It also runs for resumed sessions. Only the leaf is checked: NIOSSL hands over no more.
struct RevocationCheck: Sendable {
    let trust: PeerTrust
    /// `client` or `backend`, for the log.
    let peer: String
    let logger: Logger

    /// The callback: succeeds when the lists accept the certificate, else logs why and fails with the refusal.
    func verify(_ certificate: NIOSSLCertificate, channel: any Channel) -> EventLoopFuture<Void> {
        let parsed: Certificate
        do {
            parsed = try Certificate(derEncoded: certificate.toDERBytes())
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        let verdict = self.trust.handshakeVerdict(issuer: parsed.issuer, serial: parsed.serialNumber, at: Date())
        let subject = parsed.subject.description
        guard let refusal = verdict.refusal(subject: subject, issuer: parsed.issuer.description, serial: parsed.serialNumber) else {
            return channel.eventLoop.makeSucceededVoidFuture()
        }
        var metadata: Logger.Metadata = [
            "peer": "\(self.peer)", "subject": "\(subject)", "serial": "\(CertificateSummary.hex(parsed.serialNumber))",
            "issuer": "\(parsed.issuer)", "remote": "\(channel.remoteAddress?.ipAddress ?? "-")", "error": "\(refusal.message)",
        ]
        switch verdict {
        case .revoked(let entry): metadata["crl"] = "\(entry.path)"
        case .stale(let entry): metadata["crl"] = "\(entry.path)"
        case .good, .noList: break
        }
        self.logger.warning("\(self.peer) certificate refused by the CRLs", metadata: metadata)
        return channel.eventLoop.makeFailedFuture(refusal)
    }
}
