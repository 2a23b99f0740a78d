import Foundation
import SealgateTestSupport

/// The Python test backend (Fixtures/backend.py), started on an ephemeral loopback port.
final class BackendProcess: @unchecked Sendable {
    // @unchecked: the Process is only started in init and signalled in stop().
    let port: Int
    private let process: Process
    private let recordURL: URL

    /// One request as the backend received it.
    struct Record: Decodable {
        var method: String
        var path: String
        var headers: [[String]]
        var body_length: Int
        var body_sha256: String
        var body: String?
        var complete: Bool
        /// Over HTTPS: the common name of the client certificate sealgate presented.
        var client_common_name: String?

        /// Every value of a header, by case-insensitive name.
        func values(_ name: String) -> [String] {
            self.headers.filter { $0[0].lowercased() == name.lowercased() }.map { $0[1] }
        }
    }

    /// Starts the backend; with `tls` (certificate, key, client CA paths) it serves HTTPS and
    /// requires a client certificate.
    init(in directory: URL, tls: (certificate: String, key: String, clientCA: String)? = nil) async throws {
        self.recordURL = directory.appendingPathComponent("backend-records.jsonl")
        let portURL = directory.appendingPathComponent("backend-port")
        _ = FileManager.default.createFile(atPath: portURL.path, contents: nil)
        self.process = Process()
        self.process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        self.process.arguments =
            ["python3", TestEnvironment.backendScript, self.recordURL.path] + (tls.map { [$0.certificate, $0.key, $0.clientCA] } ?? [])
        let portFile = try FileHandle(forWritingTo: portURL)
        self.process.standardOutput = portFile
        self.process.standardError = FileHandle.nullDevice
        try self.process.run()
        // The child has its own copy; Foundation's Process would keep this one open for good.
        try? portFile.close()
        for _ in 0..<200 {
            if let text = try? String(contentsOf: portURL, encoding: .utf8),
                let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                self.port = port
                return
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        kill(self.process.processIdentifier, SIGKILL)
        throw TestFailure("the test backend did not start")
    }

    /// Everything received so far.
    func records() -> [Record] {
        guard let text = try? String(contentsOf: self.recordURL, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(Record.self, from: Data($0.utf8)) }
    }

    func stop() async {
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
        while self.process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
    }

    deinit {
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
    }
}
