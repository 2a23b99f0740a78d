/// The client-facing listener: address, TLS and the protocols offered by ALPN.
public struct ListenerConfiguration: Sendable {
    /// Where to listen.
    public var address: SocketAddressConfiguration
    /// TLS settings; sealgate never listens in plain text.
    public var tls: TLSSettings
    /// ALPN protocols in preference order (`h2`, `http/1.1`).
    public var applicationProtocols: [String]

    public init(address: SocketAddressConfiguration, tls: TLSSettings, applicationProtocols: [String] = ["h2", "http/1.1"]) {
        self.address = address
        self.tls = tls
        self.applicationProtocols = applicationProtocols
    }

    /// Server certificate, key and client authentication.
    public struct TLSSettings: Sendable {
        /// PEM chain, leaf first.
        public var certificatePath: String
        /// PEM private key of the leaf.
        public var privateKeyPath: String
        /// Lowest TLS version accepted.
        public var minimumVersion: TLSVersion
        /// Whether clients must present a certificate.
        public var clientAuthentication: ClientAuthentication
        /// PEM bundle of trusted client CAs; required unless client authentication is `none`.
        public var clientCAPath: String?
        /// Revocation lists of the client CAs.
        public var revocation: RevocationSettings
        /// Whether clients may resume TLS sessions (tickets); false gives every connection a full handshake.
        public var sessionResumption: Bool

        public init(
            certificatePath: String,
            privateKeyPath: String,
            minimumVersion: TLSVersion = .v1_3,
            clientAuthentication: ClientAuthentication = .require,
            clientCAPath: String? = nil,
            revocation: RevocationSettings = RevocationSettings(),
            sessionResumption: Bool = true
        ) {
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
            self.minimumVersion = minimumVersion
            self.clientAuthentication = clientAuthentication
            self.clientCAPath = clientCAPath
            self.revocation = revocation
            self.sessionResumption = sessionResumption
        }
    }

    /// The TLS versions sealgate may be configured to accept at minimum.
    public enum TLSVersion: String, Sendable, CaseIterable {
        case v1_2 = "1.2"
        case v1_3 = "1.3"
    }

    /// Client certificate policy.
    public enum ClientAuthentication: String, Sendable, CaseIterable {
        /// A certificate chaining to the client CA is required.
        case require
        /// A presented certificate must chain to the client CA; none is also accepted.
        case optional
        /// No certificate is asked for.
        case none
    }
}
