import Foundation
import SealgateTestSupport

/// A real Alertmanager (Debian's `prometheus-alertmanager`) on a free loopback port, clustering off, routing every
/// alert to a receiver that sends nothing: what it holds is read back through its v2 API.
final class AlertmanagerServer: @unchecked Sendable {
    // @unchecked: the Process is started in init and only signalled afterwards.
    let port: Int
    private let process: Process
    private let directory: URL

    /// - Parameter resolveTimeout: how long Alertmanager keeps an alert posted without `endsAt` (shortened in tests).
    init(resolveTimeout: String) async throws {
        self.directory = try TestEnvironment.makeTemporaryDirectory()
        self.port = try TestEnvironment.freePort()
        let configuration = self.directory.appendingPathComponent("alertmanager.yml")
        try """
        global: {resolve_timeout: \(resolveTimeout)}
        route: {receiver: quiet, group_wait: 1s, group_interval: 1s, repeat_interval: 1h}
        receivers: [{name: quiet}]
        """.write(to: configuration, atomically: true, encoding: .utf8)
        self.process = Process()
        self.process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        self.process.arguments = [
            "prometheus-alertmanager", "--config.file=\(configuration.path)", "--storage.path=\(self.directory.path)",
            "--web.listen-address=127.0.0.1:\(self.port)", "--cluster.listen-address=", "--log.level=warn",
        ]
        self.process.standardOutput = FileHandle.nullDevice
        self.process.standardError = FileHandle.nullDevice
        try self.process.run()
        for _ in 0..<100 {
            if (try? await self.alerts()) != nil { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        self.stop()
        throw TestFailure("Alertmanager did not start")
    }

    /// `POST /api/v2/alerts`, as sealgate's webhook should name it.
    var alertsURL: String { "http://127.0.0.1:\(self.port)/api/v2/alerts" }

    /// The active alerts Alertmanager holds now.
    func alerts() async throws -> [[String: Any]] {
        let output = try await runProcess("curl", ["-sS", "--fail", "\(self.alertsURL)?active=true&silenced=false&inhibited=false"])
        guard output.status == 0, let alerts = try JSONSerialization.jsonObject(with: output.standardOutput) as? [[String: Any]] else {
            throw TestFailure("Alertmanager's API answered: \(output.stdout) \(output.stderr)")
        }
        return alerts.filter { ($0["status"] as? [String: Any])?["state"] as? String == "active" }
    }

    func stop() {
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: self.directory)
    }

    deinit { self.stop() }
}
