import Foundation
import SealgateTestSupport
import Testing

extension ProxyHarness {
    static let keepAliveClient = TestEnvironment.testsDirectory.appendingPathComponent("Fixtures/keepalive_client.py").path

    /// Two GETs of `path` on one kept-alive TLS connection as `client` (keepalive_client.py, Python's ssl): the first
    /// at once, the second after `between` has run (once the backend has the first). Returns each response's status,
    /// problem code and `connection` header, and whether the server then closed the connection.
    func twoRequestsOnOneConnection(
        _ path: String,
        as client: TestPKI.Client = .writer,
        between: () async throws -> Void
    ) async throws -> (responses: [[String: Any]], closed: Bool?) {
        let go = self.directory.appendingPathComponent("go-\(UUID().uuidString)").path
        async let run = runProcess(
            "python3",
            [
                Self.keepAliveClient, String(self.proxy.port), self.pki.caPath, self.pki.certificatePath(client),
                self.pki.keyPath(client), path, "file:\(go)",
            ],
            timeout: .seconds(30)
        )
        for _ in 0..<500 where self.backend.records().isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        try await between()
        _ = FileManager.default.createFile(atPath: go, contents: nil)
        let output = try await run
        let result = try #require(try JSONSerialization.jsonObject(with: output.standardOutput) as? [String: Any], "\(output.stderr)")
        return (try #require(result["responses"] as? [[String: Any]]), result["closed"] as? Bool)
    }
}
