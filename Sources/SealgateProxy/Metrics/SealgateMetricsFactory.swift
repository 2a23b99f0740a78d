import CoreMetrics
import Prometheus

/// The swift-metrics factory of `sealgate run`: Prometheus metrics in one registry, each family with
/// its ``MetricHelp`` text, and every timer with buckets from 0.5 ms to 10 s.
///
/// `PrometheusMetricsFactory` registers every family without help text, and the registry refuses a
/// family registered once with and once without, so this factory makes them all.
public struct SealgateMetricsFactory: MetricsFactory {
    /// The buckets of every duration histogram: a proxy adds well under a millisecond to most requests.
    public static let durationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    private let registry: PrometheusCollectorRegistry
    /// Removes metrics from the registry, which does not depend on help text.
    private let remover: PrometheusMetricsFactory

    /// - Parameters:
    ///   - registry: where the metrics are registered and rendered from.
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        self.remover = PrometheusMetricsFactory(registry: registry)
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        self.registry.makeCounter(descriptor: Self.descriptor(label), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        self.registry.makeCounter(descriptor: Self.descriptor(label), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return self.registry.makeGauge(descriptor: Self.descriptor(label), labels: dimensions) }
        let buckets = self.remover.defaultValueHistogramBuckets
        return self.registry.makeValueHistogram(descriptor: Self.descriptor(label), labels: dimensions, buckets: buckets)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        self.registry.makeGauge(descriptor: Self.descriptor(label), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        self.registry.makeDurationHistogram(descriptor: Self.descriptor(label), labels: dimensions, buckets: Self.durationBuckets)
    }

    /// The metric named `label` exactly, with its help text.
    private static func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: MetricHelp.text(for: label))
    }

    public func destroyCounter(_ handler: any CounterHandler) { self.remover.destroyCounter(handler) }
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        self.remover.destroyFloatingPointCounter(handler)
    }
    public func destroyRecorder(_ handler: any RecorderHandler) { self.remover.destroyRecorder(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { self.remover.destroyMeter(handler) }
    public func destroyTimer(_ handler: any TimerHandler) { self.remover.destroyTimer(handler) }
}
