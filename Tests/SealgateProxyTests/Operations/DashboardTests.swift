import Foundation
import SealgateTestSupport
import Testing

/// The shipped Grafana dashboard against a real Prometheus scraping a running sealgate: every panel's query parses
/// and returns data.
@Suite("Grafana dashboard", .serialized, .requires("curl", "python3", "prometheus"))
struct DashboardTests {
    static let dashboard = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("config/grafana/sealgate.json")

    /// Each panel's title and its queries, with Grafana's variables as Grafana would fill them.
    static func queries() throws -> [(panel: String, expression: String)] {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.dashboard)) as? [String: Any])
        let panels = try #require(json["panels"] as? [[String: Any]])
        return panels.flatMap { panel in
            (panel["targets"] as? [[String: Any]] ?? []).compactMap { target in
                (target["expr"] as? String).map { expression in
                    (
                        panel["title"] as? String ?? "?",
                        expression.replacingOccurrences(of: "$__rate_interval", with: "1m").replacingOccurrences(of: "$job", with: "sealgate")
                    )
                }
            }
        }
    }

    @Test("the dashboard has the panels operators look for")
    func panels() throws {
        let titles = Set(try Self.queries().map(\.panel))
        for title in [
            "Requests by route and status", "Latency quantiles", "Fields encrypted and decrypted", "Refusals by reason",
            "Certificate days left", "Reload failures (1 h)",
        ] {
            #expect(titles.contains(title))
        }
    }

    @Test("every panel's query parses and returns data from a real Prometheus scraping sealgate")
    func queriesReturnData() async throws {
        try await EndToEndTests.EncryptingRoutes.withEncryptingProxy { harness, _ in
            func traffic() async throws {
                let write = try await harness.curl(
                    "/v1/patients/records/1",
                    ["-H", "content-type: application/json", "--data-binary", EndToEndTests.EncryptingRoutes.document]
                )
                #expect(write.status == 200)
                #expect(try await harness.curl("/v1/patients/records/1", as: .reader).status == 200)
                #expect(try await harness.curl("/v1/patients", ["-X", "DELETE"]).status == 405)
            }
            try await traffic()
            let prometheus = try await PrometheusServer(scraping: "127.0.0.1:\(harness.proxy.adminPort ?? 0)", in: harness.directory)
            defer { prometheus.stop() }
            // rate() needs two samples with the traffic between them.
            try await Task.sleep(for: .seconds(2))
            try await traffic()
            try await Task.sleep(for: .seconds(3))
            for (panel, expression) in try Self.queries() {
                let result = try await prometheus.query(expression)
                #expect(!result.isEmpty, "\(panel): \(expression) returned nothing")
            }
        }
    }
}
