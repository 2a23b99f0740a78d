/// The backend sealgate forwards to over HTTP/1.1, optionally with TLS.
public struct UpstreamConfiguration: Sendable {
    /// `http` or `https`.
    public var useTLS: Bool
    /// Backend host name or IP literal.
    public var host: String
    /// Backend port.
    public var port: Int
    /// TLS towards the backend (CA to verify it, optional client certificate).
    public var tls: TLSSettings?
    /// Time allowed to open a connection; failing that the client gets 502.
    public var connectTimeout: Duration
    /// Time the backend has to start answering once it has the whole request; failing that 504.
    public var timeout: Duration
    /// The longest gap between two reads of a response once its head has arrived; then the exchange is aborted.
    public var readTimeout: Duration
    /// Pooled connections idle this long are closed (keep it below the backend's own keep-alive timeout).
    public var idleTimeout: Duration
    /// Health probes that gate `/readyz`; none by default.
    public var health: UpstreamHealthConfiguration?

    public init(
        useTLS: Bool = false,
        host: String,
        port: Int,
        tls: TLSSettings? = nil,
        connectTimeout: Duration = .seconds(2),
        timeout: Duration = .seconds(30),
        readTimeout: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(60),
        health: UpstreamHealthConfiguration? = nil
    ) {
        self.useTLS = useTLS
        self.host = host
        self.port = port
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
        self.health = health
    }

    /// Files for TLS to the backend.
    public struct TLSSettings: Sendable {
        /// PEM bundle of CAs trusted for the backend; the system store when absent.
        public var caPath: String?
        /// Client certificate chain presented to the backend.
        public var certificatePath: String?
        /// Its private key.
        public var privateKeyPath: String?
        /// Revocation lists of the backend's CAs (`ca`).
        public var revocation: RevocationSettings

        public init(
            caPath: String? = nil,
            certificatePath: String? = nil,
            privateKeyPath: String? = nil,
            revocation: RevocationSettings = RevocationSettings()
        ) {
            self.caPath = caPath
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
            self.revocation = revocation
        }
    }
}
