import Logging
import NIOCore
import NIOHTTP1
import SealgateCertificates

/// What every connection of a running proxy shares: the planner, backend pools, metrics, logger.
final class ProxyShared: Sendable {
    let planner: RequestPlanner
    let pools: UpstreamPools
    let metrics: ProxyMetrics
    let logger: Logger
    let accessLog: Bool
    /// The backend's `host:port`, for the access log.
    let upstreamAddress: String
    /// The limits of every exchange's phases.
    let exchangeLimits: ExchangeStateMachine<UpstreamHandler>.Limits
    let keyRing: KeyRing
    let keyUseAudit: KeyUseAudit?
    let seenClients: SeenClientCertificates?
    /// The served TLS material, whose current peer trust each request re-checks its connection against.
    let serverTLS: ReloadableTLS?

    init(configuration: ProxyConfiguration, pools: UpstreamPools, metrics: ProxyMetrics, logger: Logger, keyRing: KeyRing = KeyRing(),
        keyUseAudit: KeyUseAudit? = nil, seenClients: SeenClientCertificates? = nil, serverTLS: ReloadableTLS? = nil
    ) {
        self.planner = RequestPlanner(configuration: configuration)
        self.pools = pools
        self.metrics = metrics
        self.logger = logger
        self.accessLog = configuration.accessLog
        self.upstreamAddress = SocketAddressConfiguration(host: configuration.upstream.host, port: configuration.upstream.port).description
        self.exchangeLimits = .init(
            maxBody: configuration.limits.maxBody,
            bodyTimeout: TimeAmount(configuration.limits.bodyTimeout),
            responseTimeout: TimeAmount(configuration.upstream.timeout),
            readTimeout: TimeAmount(configuration.upstream.readTimeout),
            writeTimeout: TimeAmount(configuration.limits.writeTimeout)
        )
        self.keyRing = keyRing
        self.keyUseAudit = keyUseAudit
        self.seenClients = seenClients
        self.serverTLS = serverTLS
    }

    /// Counts and logs a finished (or abandoned, `status == nil`) request.
    func recordExchange(_ record: ExchangeRecord) {
        let seconds = Double(record.duration.nanoseconds) / 1e9
        self.metrics.requestFinished(
            route: record.route,
            status: record.status?.code ?? 499,
            seconds: seconds,
            bytesIn: record.bytesIn,
            bytesOut: record.bytesOut
        )
        if let code = record.problemCode { self.metrics.requestRejected(reason: code) }
        let identity = record.identity.map { $0.uris.first ?? $0.subject } ?? "anonymous"
        // Two calls rather than a loop over an array of both, which would allocate on every request.
        func countFields(_ fields: [String: Int], decrypted: Bool) {
            for (key, count) in fields {
                self.metrics.fieldsRewritten(route: record.route, key: key, decrypted: decrypted, count: count)
                self.keyUseAudit?.record(key: key, identity: identity, operation: decrypted ? "decrypt" : "encrypt", count: count)
            }
        }
        countFields(record.fieldsEncrypted, decrypted: false)
        countFields(record.fieldsDecrypted, decrypted: true)
        if record.undecryptableTokens > 0 {
            self.metrics.tokensUndecryptable(route: record.route, count: record.undecryptableTokens)
            self.logger.warning(
                "tokens at rule paths did not decrypt",
                metadata: ["request_id": "\(record.requestID)", "route": "\(record.route)", "count": "\(record.undecryptableTokens)"]
            )
        }
        guard self.accessLog else { return }
        var metadata: Logger.Metadata = [
            "request_id": "\(record.requestID)",
            "route": "\(record.route)",
            "status": .stringConvertible(record.status?.code ?? 499),
            "bytes_in": .stringConvertible(record.bytesIn),
            "bytes_out": .stringConvertible(record.bytesOut),
            "duration_ms": .stringConvertible(Double(record.duration.nanoseconds / 1000) / 1000),
        ]
        if let method = record.method { metadata["method"] = "\(method.rawValue)" }
        if let path = record.path { metadata["path"] = "\(path)" }
        if record.identity != nil { metadata["identity"] = "\(identity)" }
        if let code = record.problemCode { metadata["problem"] = "\(code)" }
        metadata["protocol"] = "\(record.protocolName)"
        if let address = record.clientAddress { metadata["client_address"] = "\(address)" }
        if let userAgent = record.userAgent { metadata["user_agent"] = "\(userAgent)" }
        if let authority = record.authority { metadata["authority"] = "\(authority)" }
        if let upstream = record.upstreamDuration {
            metadata["upstream_address"] = "\(self.upstreamAddress)"
            metadata["upstream_duration_ms"] = .stringConvertible(Double(upstream.nanoseconds / 1000) / 1000)
        }
        let encrypted = record.fieldsEncrypted.values.reduce(0, +)
        let decrypted = record.fieldsDecrypted.values.reduce(0, +)
        if encrypted > 0 { metadata["fields_encrypted"] = .stringConvertible(encrypted) }
        if decrypted > 0 { metadata["fields_decrypted"] = .stringConvertible(decrypted) }
        self.logger.info("access", metadata: metadata)
    }
}

/// What the access log and metrics learn of one request. Never a body, a field value or a query.
struct ExchangeRecord {
    var requestID: String
    var identity: PeerIdentity?
    var method: HTTPMethod?
    var path: Substring?
    var route: String
    var status: HTTPResponseStatus?
    var problemCode: String?
    var bytesIn: Int
    var bytesOut: Int
    var duration: TimeAmount
    /// Fields encrypted in the request and decrypted in the response, per key.
    var fieldsEncrypted: [String: Int] = [:]
    var fieldsDecrypted: [String: Int] = [:]
    var undecryptableTokens = 0
    /// `HTTP/1.1`, `HTTP/1.0` or `HTTP/2`.
    var protocolName: String
    /// The client's `ip:port`, set by the connection's handler.
    var clientAddress: String?
    var userAgent: String?
    /// The `Host` (HTTP/1.1) or `:authority` (HTTP/2) the client sent.
    var authority: String?
    /// From the request head written to the backend to the exchange's end; nil when the backend was never asked.
    var upstreamDuration: TimeAmount?

    /// The protocol's name as access logs write it.
    static func protocolName(of version: HTTPVersion) -> String {
        switch (version.major, version.minor) {
        case (2, _): "HTTP/2"
        case (1, 0): "HTTP/1.0"
        default: "HTTP/1.1"
        }
    }
}
