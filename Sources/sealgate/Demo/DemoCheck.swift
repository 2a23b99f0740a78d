import Foundation
import ServiceLifecycle

/// `sealgate demo --check`: runs the guided tour's commands against the running demo, prints each check
/// with ✓ or ✗, then returns (which stops the demo) or throws ``DemoCheckFailed``.
struct DemoCheck: Service {
    let flows: DemoFlows

    /// Some check failed.
    struct DemoCheckFailed: Error, CustomStringConvertible {
        var description: String { "sealgate demo --check: some checks failed" }
    }

    func run() async throws {
        try await self.waitUntilReady()
        var passed = true
        func check(_ name: String, _ ok: Bool, _ detail: @autoclosure () -> String = "") {
            print(ok ? "✓ \(name)" : "✗ \(name)\(detail().isEmpty ? "" : ": \(detail())")")
            passed = passed && ok
        }
        let created = try await Self.curl(self.flows.create)
        let id = (try? JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])?["id"] as? Int
        check(
            "the writer creates a record", created.status == 201 && id != nil, "HTTP \(created.status) \(created.body)")
        guard let id else { throw DemoCheckFailed() }
        let stored = try await DemoCheck.storedRecord(id: id, in: self.flows.setup.recordsPath)
        check(
            "the stored record holds none of the plaintext values",
            !stored.isEmpty && !DemoFlows.secrets.contains { stored.contains($0) },
            stored
        )
        check(
            "the stored record holds sg1: tokens at $.ssn, $.contacts[*].phone and $.card.number",
            Self.hasTokens(stored), stored)
        let asReader = try await Self.curl(self.flows.read(id: id, as: "reader"))
        check(
            "the reader gets the plaintext back",
            asReader.status == 200 && DemoFlows.secrets.allSatisfy { asReader.body.contains($0) },
            "HTTP \(asReader.status) \(asReader.body)"
        )
        let asWriter = try await Self.curl(self.flows.read(id: id, as: "writer"))
        check(
            "the writer gets the tokens", asWriter.status == 200 && asWriter.body == stored,
            "HTTP \(asWriter.status) \(asWriter.body)")
        let anonymous = try await Self.curl(self.flows.read(id: id, as: nil))
        check(
            "a client without a certificate is refused", !(200..<300).contains(anonymous.status),
            "HTTP \(anonymous.status)")
        let metrics = try await Self.curl(self.flows.metrics)
        check("the metrics count the encrypted fields", metrics.body.contains("sealgate_fields_encrypted_total"))
        let certificates = try await Self.curl(self.flows.certificates)
        check(
            "/certs lists the served certificate, the client CA and the clients seen, all ok",
            ["\"role\":\"server\"", "\"role\":\"client_ca\"", "\"role\":\"client_seen\""].allSatisfy(certificates.body.contains)
                && !certificates.body.contains("\"state\":\"warning\"") && !certificates.body.contains("\"state\":\"expired\""),
            certificates.body
        )
        let certificateCheck = try await Self.output(of: self.flows.checkCertificates)
        check("certs check finds the demo certificates ok", certificateCheck.status == 0, certificateCheck.output)
        let config = try await Self.output(of: self.flows.checkConfig)
        check("the configuration checks", config.status == 0, config.output)
        guard passed else { throw DemoCheckFailed() }
    }

    /// Polls `/readyz` for up to 30 seconds.
    private func waitUntilReady() async throws {
        let readyz = ["curl", "http://127.0.0.1:\(self.flows.setup.adminPort)/readyz"]
        for _ in 0..<300 {
            if try await Self.curl(readyz).status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        print("✗ the demo became ready")
        throw DemoCheckFailed()
    }

    private static func storedRecord(id: Int, in path: String) async throws -> String {
        try await RecordStore(path: path).record(id: id) ?? ""
    }

    /// Whether every rule path of the sample record holds a token.
    private static func hasTokens(_ record: String) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: Data(record.utf8)) as? [String: Any],
            let contacts = object["contacts"] as? [[String: Any]],
            let card = object["card"] as? [String: Any]
        else { return false }
        let values = [object["ssn"], card["number"]] + contacts.map { $0["phone"] }
        return values.allSatisfy { ($0 as? String)?.hasPrefix("sg1:") == true }
    }

    /// Runs a curl command line quietly; the status is 0 when curl itself failed (a refused handshake).
    private static func curl(_ command: [String]) async throws -> (status: Int, body: String) {
        let result = try await Self.output(of: command + ["--silent", "--write-out", "\n%{http_code}"])
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    /// Runs a command line (looked up on PATH) and collects its standard output.
    private static func output(of command: [String]) async throws -> (status: Int32, output: String) {
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent(
            "sealgate-demo-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0].contains("/") ? command[0] : "/usr/bin/env")
        process.arguments = command[0].contains("/") ? Array(command.dropFirst()) : command
        // Closed here: Foundation's Process keeps the parent's copy open otherwise.
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let status = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
            }
        }
        return (status, try String(contentsOf: outputURL, encoding: .utf8))
    }
}
