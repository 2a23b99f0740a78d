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
    /// The limits of every exchange's phases.
    let exchangeLimits: ExchangeStateMachine<UpstreamHandler>.Limits
    let keyRing: KeyRing
    let keyUseAudit: KeyUseAudit?
    let seenClients: SeenClientCertificates?

    init(configuration: ProxyConfiguration, pools: UpstreamPools, metrics: ProxyMetrics, logger: Logger, keyRing: KeyRing = KeyRing(),
        keyUseAudit: KeyUseAudit? = nil, seenClients: SeenClientCertificates? = nil
    ) {
        self.planner = RequestPlanner(configuration: configuration)
        self.pools = pools
        self.metrics = metrics
        self.logger = logger
        self.accessLog = configuration.accessLog
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
        let encrypted = record.fieldsEncrypted.values.reduce(0, +)
        let decrypted = record.fieldsDecrypted.values.reduce(0, +)
        if encrypted > 0 { metadata["fields_encrypted"] = .stringConvertible(encrypted) }
        if decrypted > 0 { metadata["fields_decrypted"] = .stringConvertible(decrypted) }
        self.logger.info("access", metadata: metadata)
    }

    /// Counts and logs a request refused before any backend work.
    func recordRefusal(
        _ problem: Problem,
        requestID: String,
        client: ClientConnection,
        method: HTTPMethod?,
        path: Substring?,
        duration: TimeAmount = .zero
    ) {
        self.recordExchange(
            ExchangeRecord(
                requestID: requestID,
                identity: client.identity,
                method: method,
                path: path,
                route: "-",
                status: problem.status,
                problemCode: problem.code,
                bytesIn: 0,
                bytesOut: 0,
                duration: duration
            )
        )
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
}
