import Foundation
import SealgateTestSupport

/// A real Prometheus server (Debian's `prometheus`) on a free loopback port, scraping one target every second.
final class PrometheusServer: @unchecked Sendable {
    // @unchecked: the Process is started in init and only signalled afterwards.
    let port: Int
    private let process: Process

    /// Starts Prometheus in `directory`, scraping `target` (`host:port`, path /metrics) as job `sealgate`.
    init(scraping target: String, in directory: URL) async throws {
        let port = try TestEnvironment.freePort()
        self.port = port
        let configuration = directory.appendingPathComponent("prometheus.yml")
        try """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: sealgate
            static_configs: [{targets: ["\(target)"]}]
        """.write(to: configuration, atomically: true, encoding: .utf8)
        self.process = Process()
        self.process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        self.process.arguments = [
            "prometheus", "--config.file=\(configuration.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("tsdb").path)",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ]
        self.process.standardOutput = FileHandle.nullDevice
        self.process.standardError = FileHandle.nullDevice
        try self.process.run()
        for _ in 0..<100 {
            if let up = try? await self.query("up"), !up.isEmpty { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        self.stop()
        throw TestFailure("Prometheus did not start scraping")
    }

    /// The result vector of an instant query; throws when Prometheus refuses the query (a parse error).
    func query(_ expression: String) async throws -> [[String: Any]] {
        var components = URLComponents(string: "http://127.0.0.1:\(self.port)/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: expression)]
        let output = try await runProcess("curl", ["-sS", components.url!.absoluteString])
        let answer = try JSONSerialization.jsonObject(with: output.standardOutput) as? [String: Any]
        guard answer?["status"] as? String == "success", let data = answer?["data"] as? [String: Any] else {
            throw TestFailure("Prometheus refused \(expression): \(output.stdout)")
        }
        return data["result"] as? [[String: Any]] ?? []
    }

    func stop() {
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
    }

    deinit { self.stop() }

}
