import SealgateCertificates

/// Everything the proxy needs to run, already validated: files are paths, durations are `Duration`s.
public struct ProxyConfiguration: Sendable {
    /// The client-facing TLS listener.
    public var listener: ListenerConfiguration
    /// The backend.
    public var upstream: UpstreamConfiguration
    /// Who may talk to the backend at all; an empty list allows every verified client.
    public var authorization: AuthorizationPolicy
    /// The header that carries the client identity to the backend (Envoy XFCC format).
    public var identityHeader: String
    /// Routes, tried in order; the first match wins.
    public var routes: [RouteConfiguration]
    /// Protocol limits.
    public var limits: Limits
    /// How long in-flight requests may take to finish after SIGTERM.
    public var shutdownGrace: Duration
    /// The plain-HTTP admin listener (`/healthz`, `/readyz`, `/metrics`).
    public var admin: SocketAddressConfiguration?
    /// Whether one access-log line is written per request.
    public var accessLog: Bool

    public init(
        listener: ListenerConfiguration,
        upstream: UpstreamConfiguration,
        authorization: AuthorizationPolicy = AuthorizationPolicy(),
        identityHeader: String = "x-forwarded-client-cert",
        routes: [RouteConfiguration] = [],
        limits: Limits = Limits(),
        shutdownGrace: Duration = .seconds(25),
        admin: SocketAddressConfiguration? = nil,
        accessLog: Bool = true
    ) {
        self.listener = listener
        self.upstream = upstream
        self.authorization = authorization
        self.identityHeader = identityHeader
        self.routes = routes
        self.limits = limits
        self.shutdownGrace = shutdownGrace
        self.admin = admin
        self.accessLog = accessLog
    }
}

/// A host and port to listen on or connect to.
public struct SocketAddressConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// A host name or IP literal (IPv6 without brackets).
    public var host: String
    /// The TCP port; 0 picks a free one when listening.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)" }
}

/// Protocol limits applied to every client connection.
public struct Limits: Sendable, Hashable {
    /// Largest accepted request body.
    public var maxBody: Int
    /// Largest accepted request header block.
    public var maxHeader: Int
    /// Time a client has to send a whole header block.
    public var headerTimeout: Duration
    /// Idle keep-alive connections are closed after this long.
    public var idleTimeout: Duration
    /// The longest gap between two reads of a request body; then 408, or a reset once the response has started.
    public var bodyTimeout: Duration
    /// How long a client may leave a response unread before it is disconnected.
    public var writeTimeout: Duration
    /// Connections beyond this many are closed at once.
    public var maxConnections: Int

    public init(
        maxBody: Int = 10 << 20,
        maxHeader: Int = 32 << 10,
        headerTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        bodyTimeout: Duration = .seconds(30),
        writeTimeout: Duration = .seconds(30),
        maxConnections: Int = 10_000
    ) {
        self.maxBody = maxBody
        self.maxHeader = maxHeader
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.writeTimeout = writeTimeout
        self.maxConnections = maxConnections
    }
}
