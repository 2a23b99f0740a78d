import Foundation
import SealgateTestSupport
import Testing

/// `upstream.health` gates `/readyz` on the real backend: not ready before it answers, nor once it is gone.
@Suite("Upstream health gates /readyz", .serialized, .requires("curl", "python3"))
struct UpstreamHealthTests {
    static func configuration(health: String, backend: String = "{BACKEND}") -> String {
        ProxyHarness.defaultConfiguration.replacingOccurrences(
            of: #"upstream: {url: "http://127.0.0.1:{BACKEND}", connect_timeout: 1s, timeout: 3s}"#,
            with: #"upstream: {url: "http://127.0.0.1:\#(backend)", connect_timeout: 1s, timeout: 3s, health: \#(health)}"#
        )
    }

    /// `/readyz` as a readiness probe sees it: the status and the body.
    static func readiness(_ harness: ProxyHarness) async throws -> (Int, String) {
        let result = try await HTTPResult.curl(["http://127.0.0.1:\(harness.proxy.adminPort ?? 0)/readyz"], in: harness.directory)
        return (result.status, result.bodyText)
    }

    /// Polls `/readyz` until it answers `status`, for up to `seconds`.
    static func waitForReadiness(_ harness: ProxyHarness, status: Int, seconds: Double = 5) async throws -> (Int, String) {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var last = try await Self.readiness(harness)
        while last.0 != status, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            last = try await Self.readiness(harness)
        }
        return last
    }

    @Test("an HTTP probe: ready once the backend answers, not ready after unhealthy_after failures once it is gone")
    func httpProbe() async throws {
        let configuration = Self.configuration(health: "{http: /status?code=204, interval: 200ms, unhealthy_after: 2}")
        try await ProxyHarness.with(configuration: configuration) { harness in
            let ready = try await Self.waitForReadiness(harness, status: 200)
            #expect(ready.0 == 200)
            #expect(harness.backend.records().contains { $0.path == "/status?code=204" })
            await harness.backend.stop()
            let gone = try await Self.waitForReadiness(harness, status: 503)
            #expect(gone.0 == 503)
            #expect(gone.1.contains("upstream_unhealthy"))
        }
    }

    @Test("a backend that answers its health path with 503 keeps sealgate unready")
    func unhealthyAnswer() async throws {
        let configuration = Self.configuration(health: "{http: /status?code=503, interval: 200ms}")
        try await ProxyHarness.with(configuration: configuration) { harness in
            try await Task.sleep(for: .seconds(1))
            let (status, body) = try await Self.readiness(harness)
            #expect(status == 503)
            #expect(body.contains("upstream_unhealthy"))
        }
    }

    @Test("a TCP probe to a port nothing listens on: never ready; without upstream.health the same proxy is ready")
    func tcpProbe() async throws {
        let configuration = Self.configuration(health: "{tcp: true, interval: 200ms}", backend: "9")
        try await ProxyHarness.with(configuration: configuration) { harness in
            try await Task.sleep(for: .seconds(1))
            let (status, body) = try await Self.readiness(harness)
            #expect(status == 503)
            #expect(body.contains("upstream_unhealthy"))
        }
        let withoutHealth = ProxyHarness.defaultConfiguration.replacingOccurrences(of: "{BACKEND}", with: "9")
        try await ProxyHarness.with(configuration: withoutHealth) { harness in
            let (status, _) = try await Self.waitForReadiness(harness, status: 200)
            #expect(status == 200)
        }
    }
}
