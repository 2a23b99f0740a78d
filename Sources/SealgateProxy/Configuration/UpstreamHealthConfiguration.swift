/// `upstream.health`: how sealgate learns that its backend can serve, which gates `/readyz`.
public struct UpstreamHealthConfiguration: Sendable, Hashable {
    /// What one probe does.
    public enum Probe: Sendable, Hashable {
        /// A TCP connection to the backend opens.
        case tcp
        /// `GET path` over the upstream's protocol answers with a 2xx or 3xx status.
        case http(path: String)
    }

    public var probe: Probe
    /// Time between two probes.
    public var interval: Duration
    /// Failed probes in a row before `/readyz` reports `upstream_unhealthy`; one success clears it.
    public var unhealthyAfter: Int

    public init(probe: Probe, interval: Duration = .seconds(5), unhealthyAfter: Int = 3) {
        self.probe = probe
        self.interval = interval
        self.unhealthyAfter = unhealthyAfter
    }
}
