import CoreMetrics
import NIOConcurrencyHelpers

/// The proxy's metrics, created through swift-metrics so any backend (Prometheus here) can take them.
///
/// Metric objects are cached per set of dimensions; creating one per request would be slow. A labelled
/// counter's known series exist at 0 from the start, so that `increase(…) > 0` sees the first one.
public final class ProxyMetrics: Sendable {
    private struct RouteStatus: Hashable {
        var route: String
        var status: UInt
    }

    private struct FieldUse: Hashable {
        var route: String
        var key: String
        var decrypted: Bool
    }

    private let requests = MetricCache<RouteStatus, Counter> {
        Counter(label: "sealgate_requests_total", dimensions: [("route", $0.route), ("status", String($0.status))])
    }
    private let durations = MetricCache<String, Timer> {
        Timer(label: "sealgate_request_duration_seconds", dimensions: [("route", $0)], preferredDisplayUnit: .seconds)
    }
    private let rejections = MetricCache<String, Counter> {
        Counter(label: "sealgate_rejected_requests_total", dimensions: [("reason", $0)])
    }
    private let handshakeFailures = MetricCache<String, Counter> {
        Counter(label: "sealgate_tls_handshake_failures_total", dimensions: [("reason", $0)])
    }
    private let fields = MetricCache<FieldUse, Counter> {
        Counter(
            label: $0.decrypted ? "sealgate_fields_decrypted_total" : "sealgate_fields_encrypted_total",
            dimensions: [("route", $0.route), ("key", $0.key)]
        )
    }
    private let undecryptable = MetricCache<String, Counter> {
        Counter(label: "sealgate_tokens_undecryptable_total", dimensions: [("route", $0)])
    }
    private let keyReloads = MetricCache<Bool, Counter> {
        Counter(label: "sealgate_key_reloads_total", dimensions: [("result", $0 ? "success" : "failure")])
    }
    private let certificateReloads = MetricCache<Bool, Counter> {
        Counter(label: "sealgate_certificate_reloads_total", dimensions: [("result", $0 ? "success" : "failure")])
    }
    private let alertNotifications = MetricCache<[String], Counter> {
        Counter(label: "sealgate_alert_notifications_total", dimensions: [("format", $0[0]), ("result", $0[1])])
    }
    private let openConnections = Meter(label: "sealgate_open_connections")
    private let rejectedConnections = Counter(label: "sealgate_rejected_connections_total")
    private let receivedBytes = Counter(label: "sealgate_received_bytes_total")
    private let sentBytes = Counter(label: "sealgate_sent_bytes_total")

    public init() {
        _ = self.certificateReloads[true]
        _ = self.certificateReloads[false]
        for reason in ConnectionObserver.reasons { _ = self.handshakeFailures[reason] }
        for code in Problem.codes { _ = self.rejections[code] }
    }

    /// Makes `sealgate_key_reloads_total` exist at 0 for both results; for a proxy that uses keys.
    func declareKeyReloads() {
        _ = self.keyReloads[true]
        _ = self.keyReloads[false]
    }

    /// Makes `sealgate_alert_notifications_total` exist at 0 for every result of each webhook format.
    func declareAlertNotifications(formats: [String]) {
        for format in formats {
            for result in ["success", "failure", "dropped"] { _ = self.alertNotifications[[format, result]] }
        }
    }

    /// Counts one finished request.
    func requestFinished(route: String, status: UInt, seconds: Double, bytesIn: Int, bytesOut: Int) {
        self.requests[RouteStatus(route: route, status: status)].increment()
        self.durations[route].recordSeconds(seconds)
        if bytesIn > 0 { self.receivedBytes.increment(by: bytesIn) }
        if bytesOut > 0 { self.sentBytes.increment(by: bytesOut) }
    }

    /// Counts a request refused by sealgate, by its problem code.
    func requestRejected(reason: String) { self.rejections[reason].increment() }

    /// Counts fields encrypted in requests or decrypted in responses.
    func fieldsRewritten(route: String, key: String, decrypted: Bool, count: Int) {
        self.fields[FieldUse(route: route, key: key, decrypted: decrypted)].increment(by: count)
    }

    /// Counts tokens at rule paths of responses that did not decrypt.
    func tokensUndecryptable(route: String, count: Int) { self.undecryptable[route].increment(by: count) }

    func keysReloaded(success: Bool) { self.keyReloads[success].increment() }
    func certificatesReloaded(success: Bool) { self.certificateReloads[success].increment() }
    /// Counts a webhook delivery by result: `success`, `failure` (after every retry) or `dropped` (queue full).
    func alertNotification(format: String, result: String) { self.alertNotifications[[format, result]].increment() }
    func handshakeFailed(reason: String) { self.handshakeFailures[reason].increment() }
    func connectionOpened() { self.openConnections.increment() }
    func connectionClosed() { self.openConnections.decrement() }
    func connectionRejected() { self.rejectedConnections.increment() }
}

/// Metric objects made on first use for each set of dimensions, then reused.
private final class MetricCache<Key: Hashable & Sendable, Metric: Sendable>: Sendable {
    private let metrics = NIOLockedValueBox<[Key: Metric]>([:])
    private let make: @Sendable (Key) -> Metric

    init(_ make: @escaping @Sendable (Key) -> Metric) {
        self.make = make
    }

    subscript(_ key: Key) -> Metric {
        self.metrics.withLockedValue { metrics in
            if let metric = metrics[key] { return metric }
            let metric = self.make(key)
            metrics[key] = metric
            return metric
        }
    }
}
