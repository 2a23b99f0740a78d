import Foundation
import SealgateTestSupport

/// A real Prometheus server (Debian's `prometheus`) on a free loopback port, scraping one target every second.
final class PrometheusServer: @unchecked Sendable {
    // @unchecked: the Process is started in init and only signalled afterwards.
    let port: Int
    private let process: Process

    /// Starts Prometheus in `directory`, scraping `target` (`host:port`, path /metrics) as job `sealgate`.
    init(scraping target: String, in directory: URL) async throws {
        let port = try Self.freePort()
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

    static func freePort() throws -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { throw TestFailure("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
