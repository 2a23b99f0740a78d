import Foundation
import SealgateTestSupport

/// moto's KMS in server mode (Fixtures/kms_server.py) on an ephemeral loopback port, with two keys.
final class KMSServer: @unchecked Sendable {
    // @unchecked: the Process is started in init and only signalled afterwards.
    /// The port and the keys the fixture made.
    struct Info: Decodable {
        var port: Int
        var arn: String
        var other_arn: String
        var alias: String
    }

    static let script = TestEnvironment.testsDirectory.appendingPathComponent("Fixtures/kms_server.py").path

    /// Whether the tests that need Python's moto run: when it imports, and always under `CI=true`,
    /// where its absence fails the tests.
    static let available = TestEnvironment.isCI || TestEnvironment.pythonImports("moto.server, boto3")

    let info: Info
    private let process: Process

    var endpoint: String { "http://127.0.0.1:\(self.info.port)" }

    init() async throws {
        let infoURL = FileManager.default.temporaryDirectory.appendingPathComponent("sealgate-kms-\(UUID().uuidString).json")
        self.process = Process()
        self.process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        self.process.arguments = ["python3", Self.script, infoURL.path]
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_ACCESS_KEY_ID"] = "testing"
        environment["AWS_SECRET_ACCESS_KEY"] = "testing"
        self.process.environment = environment
        self.process.standardOutput = FileHandle.nullDevice
        self.process.standardError = FileHandle.nullDevice
        try self.process.run()
        defer { try? FileManager.default.removeItem(at: infoURL) }
        for _ in 0..<600 {
            if let data = try? Data(contentsOf: infoURL), let info = try? JSONDecoder().decode(Info.self, from: data) {
                self.info = info
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(self.process.processIdentifier, SIGKILL)
        throw KMSServerFailure()
    }

    func stop() {
        // SIGKILL: children inherit the test runner's blocked SIGTERM.
        kill(self.process.processIdentifier, SIGKILL)
        self.process.waitUntilExit()
    }

    deinit {
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
    }

    /// Runs `body` with a started server and always stops it.
    static func with<T>(_ body: (KMSServer) async throws -> T) async throws -> T {
        let server = try await KMSServer()
        defer { server.stop() }
        return try await body(server)
    }
}

struct KMSServerFailure: Error, CustomStringConvertible {
    var description: String { "moto's KMS server did not start (pip install 'moto[server]')" }
}
