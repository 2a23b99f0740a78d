import Foundation
import SealgateCertificates

/// What every request of one client connection shares: who the client is.
struct ClientConnection: Sendable {
    /// The verified client identity, if a certificate was presented.
    var identity: PeerIdentity?
    /// The identity header value sent upstream (XFCC), precomputed once per connection.
    var identityHeaderValue: String?
    /// The client's IP address, appended to `X-Forwarded-For`.
    var remoteIP: String?
    /// The client's `ip:port`, for the access log.
    var remoteAddress: String?
    /// The revocation lists and client CAs the handshake was checked against; nil when there is nothing to re-check.
    var handshakeTrust: PeerTrust?

    /// Refuses a request when the connection's client certificate is not valid at `now`.
    ///
    /// The handshake checks validity once; a kept-alive connection or a resumed TLS session would otherwise go on
    /// speaking as an identity whose certificate has since expired. Two comparisons, no parsing.
    /// - Parameter now: the wall-clock time of the request.
    func checkValidity(at now: Date) throws(Problem) {
        guard let identity = self.identity else { return }
        if now > identity.notValidAfter { throw Problem.certificateExpired(notAfter: identity.notValidAfter) }
        if now < identity.notValidBefore { throw Problem.certificateNotYetValid(notBefore: identity.notValidBefore) }
    }

    /// Refuses a request when `current`, the trust loaded now, no longer accepts the connection's certificate:
    /// revoked by a CRL loaded since the handshake, or from a client CA no longer configured. Nothing to do while
    /// `current` is the trust of the handshake (or the last one checked, `checked`), which is one pointer comparison.
    /// - Parameters:
    ///   - current: the trust of the server TLS material now.
    ///   - checked: the trust this connection's certificate was last found good with; updated when it is again.
    func checkTrust(_ current: PeerTrust?, checked: inout PeerTrust?) throws(Problem) {
        guard let identity = self.identity, let current, current !== checked else { return }
        if let problem = current.requestRefusal(of: identity, handshakeTrust: self.handshakeTrust) { throw problem }
        checked = current
    }
}
