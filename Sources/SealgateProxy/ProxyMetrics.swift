import CoreMetrics
import NIOConcurrencyHelpers
import NIOHTTP1

/// The proxy's metrics, created through swift-metrics so any backend (Prometheus here) can take them.
///
/// Metric objects are cached per set of dimensions; creating one per request would be slow.
public final class ProxyMetrics: Sendable {
    private let requests = NIOLockedValueBox<[RequestKey: Counter]>([:])
    private let durations = NIOLockedValueBox<[String: Timer]>([:])
    private let handshakeFailures = NIOLockedValueBox<[String: Counter]>([:])
    private let fieldCounters = NIOLockedValueBox<[FieldKey: Counter]>([:])
    private let undecryptable = NIOLockedValueBox<[String: Counter]>([:])
    private let openConnections = Meter(label: "sealgate_open_connections")
    private let rejectedConnections = Counter(label: "sealgate_rejected_connections_total")
    private let receivedBytes = Counter(label: "sealgate_received_bytes_total")
    private let sentBytes = Counter(label: "sealgate_sent_bytes_total")
    private let keyReloadSuccesses = Counter(label: "sealgate_key_reloads_total", dimensions: [("result", "success")])
    private let keyReloadFailures = Counter(label: "sealgate_key_reloads_total", dimensions: [("result", "failure")])

    private struct FieldKey: Hashable {
        var route: String
        var key: String
        var decrypted: Bool
    }

    private struct RequestKey: Hashable {
        var route: String
        var status: UInt
    }

    public init() {}

    /// Counts one finished request.
    func requestFinished(route: String, status: UInt, seconds: Double, bytesIn: Int, bytesOut: Int) {
        let key = RequestKey(route: route, status: status)
        let counter = self.requests.withLockedValue { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: "sealgate_requests_total",
                dimensions: [("route", route), ("status", String(status))]
            )
            counters[key] = counter
            return counter
        }
        counter.increment()
        let timer = self.durations.withLockedValue { timers in
            if let timer = timers[route] { return timer }
            let timer = Timer(
                label: "sealgate_request_duration_seconds",
                dimensions: [("route", route)],
                preferredDisplayUnit: .seconds
            )
            timers[route] = timer
            return timer
        }
        timer.recordSeconds(seconds)
        if bytesIn > 0 { self.receivedBytes.increment(by: bytesIn) }
        if bytesOut > 0 { self.sentBytes.increment(by: bytesOut) }
    }

    /// Counts fields encrypted in requests or decrypted in responses.
    func fieldsRewritten(route: String, key: String, decrypted: Bool, count: Int) {
        let id = FieldKey(route: route, key: key, decrypted: decrypted)
        self.fieldCounters.withLockedValue { counters in
            if let counter = counters[id] { return counter }
            let counter = Counter(
                label: decrypted ? "sealgate_fields_decrypted_total" : "sealgate_fields_encrypted_total",
                dimensions: [("route", route), ("key", key)]
            )
            counters[id] = counter
            return counter
        }.increment(by: count)
    }

    /// Counts tokens at rule paths of responses that did not decrypt.
    func tokensUndecryptable(route: String, count: Int) {
        self.undecryptable.withLockedValue { counters in
            if let counter = counters[route] { return counter }
            let counter = Counter(label: "sealgate_tokens_undecryptable_total", dimensions: [("route", route)])
            counters[route] = counter
            return counter
        }.increment(by: count)
    }

    func keysReloaded(success: Bool) {
        (success ? self.keyReloadSuccesses : self.keyReloadFailures).increment()
    }

    func connectionOpened() { self.openConnections.increment() }
    func connectionClosed() { self.openConnections.decrement() }
    func connectionRejected() { self.rejectedConnections.increment() }

    func handshakeFailed(reason: String) {
        self.handshakeFailures.withLockedValue { counters in
            if let counter = counters[reason] { return counter }
            let counter = Counter(label: "sealgate_tls_handshake_failures_total", dimensions: [("reason", reason)])
            counters[reason] = counter
            return counter
        }.increment()
    }
}
