import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SealgateCertificates
import ServiceLifecycle

/// Posts expiry alerts to webhooks in the background, one queue per webhook, with retries and
/// exponential backoff. A slow or dead webhook only delays its own queue: handing alerts over
/// never waits, and a full queue drops the oldest batch (counted).
///
/// Slack and JSON webhooks get each alert event once. Alertmanager gets every firing alert at each
/// delivery, as Prometheus re-sends them (``AlertmanagerPost``), and a resolve only when the
/// certificate is fine.
public final class WebhookNotifier: Service, Sendable {
    /// Alerts to post to one webhook, and how and when.
    private struct Batch: Sendable {
        var alerts: [ExpiryAlert]
        var post: AlertmanagerPost
        var at: Date
    }

    private struct Queue: Sendable {
        var webhook: MonitorConfiguration.Webhook
        var alerts: AsyncStream<Batch>
        var continuation: AsyncStream<Batch>.Continuation
    }

    /// How a delivery is retried.
    public struct RetryPolicy: Sendable {
        /// Tries per request, the first included.
        public var attempts = 5
        /// Time allowed for one try.
        public var timeout: Duration = .seconds(10)
        /// Wait after the first failed try; doubled after each further one.
        public var backoff: Duration = .seconds(1)

        public init() {}
    }

    private let queues: [Queue]
    private let retry: RetryPolicy
    private let metrics: ProxyMetrics
    private let logger: Logger

    /// - Parameters:
    ///   - webhooks: where alerts go.
    ///   - retry: attempts, timeout and backoff of each delivery.
    ///   - queueLength: batches of alerts waiting per webhook before the oldest are dropped.
    ///   - metrics: counts deliveries by format and result (each at 0 from the start).
    ///   - logger: reports failed deliveries.
    public init(
        webhooks: [MonitorConfiguration.Webhook],
        retry: RetryPolicy = RetryPolicy(),
        queueLength: Int = 256,
        metrics: ProxyMetrics,
        logger: Logger
    ) {
        self.queues = webhooks.map { webhook in
            let (alerts, continuation) = AsyncStream.makeStream(of: Batch.self, bufferingPolicy: .bufferingNewest(queueLength))
            return Queue(webhook: webhook, alerts: alerts, continuation: continuation)
        }
        self.retry = retry
        self.metrics = metrics
        self.logger = logger
        metrics.declareAlertNotifications(formats: webhooks.map(\.format.rawValue))
    }

    /// Queues alerts for every webhook; returns at once.
    /// - Parameters:
    ///   - events: alerts raised, repeated or resolved now, for every webhook but Alertmanager.
    ///   - firing: every alert firing now, for Alertmanager, with the resolves of `events` whose certificate is fine.
    ///   - post: labels, generator URL and `endsAt` of Alertmanager alerts.
    ///   - now: the time of the delivery.
    public func deliver(_ events: [ExpiryAlert], firing: [ExpiryAlert], post: AlertmanagerPost, at now: Date) {
        for queue in self.queues {
            let alerts = queue.webhook.format == .alertmanager
                ? firing + events.filter { $0.event == .resolved && $0.certificateIsFine } : events
            guard !alerts.isEmpty else { continue }
            if case .dropped = queue.continuation.yield(Batch(alerts: alerts, post: post, at: now)) {
                self.metrics.alertNotification(format: queue.webhook.format.rawValue, result: "dropped")
                self.logger.warning("alert queue full: the oldest alerts were dropped", metadata: ["webhook": "\(Self.loggable(queue.webhook))"])
            }
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for queue in self.queues {
                    group.addTask {
                        for await batch in queue.alerts {
                            for body in queue.webhook.format.bodies(for: batch.alerts, alertmanager: batch.post, at: batch.at) {
                                await self.post(body, to: queue.webhook)
                            }
                        }
                    }
                }
            }
        }
    }

    private func post(_ body: Data, to webhook: MonitorConfiguration.Webhook) async {
        let format = webhook.format.rawValue
        var failure = ""
        for attempt in 1...self.retry.attempts {
            do {
                var request = HTTPClientRequest(url: webhook.url)
                request.method = .POST
                request.headers.add(name: "content-type", value: "application/json")
                request.headers.add(name: "user-agent", value: "sealgate")
                request.body = .bytes(ByteBuffer(bytes: body))
                let response = try await HTTPClient.shared.execute(request, timeout: TimeAmount(self.retry.timeout))
                _ = try? await response.body.collect(upTo: 64 << 10)
                if (200..<300).contains(response.status.code) {
                    self.metrics.alertNotification(format: format, result: "success")
                    return
                }
                failure = "HTTP \(response.status.code)"
                // A request the receiver refuses as such will not succeed later.
                if (400..<500).contains(response.status.code), ![408, 429].contains(response.status.code) { break }
            } catch {
                if Task.isCancelled { return }
                failure = "\(error)"
            }
            if attempt < self.retry.attempts {
                try? await Task.sleep(for: self.retry.backoff * (1 << (attempt - 1)))
            }
        }
        self.metrics.alertNotification(format: format, result: "failure")
        self.logger.error("alert not delivered", metadata: ["webhook": "\(Self.loggable(webhook))", "format": "\(format)", "error": "\(failure)"])
    }

    /// The webhook's URL without what may be secret: user and password, query and fragment, and for
    /// Slack the path after `/services/`, which is the webhook's token (written `redacted`).
    static func loggable(_ webhook: MonitorConfiguration.Webhook) -> String {
        guard var components = URLComponents(string: webhook.url) else { return "?" }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        if webhook.format == .slack, components.path.hasPrefix("/services/") { components.path = "/services/redacted" }
        return components.string ?? "?"
    }
}
