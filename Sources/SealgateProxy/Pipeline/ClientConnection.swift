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
}
