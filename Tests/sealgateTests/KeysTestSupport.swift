import Foundation
import SealgateTestSupport
import Testing

/// The built `sealgate` executable and a scratch directory to run `sealgate keys` in.
final class KeysSandbox {
    /// What a finished `sealgate` run printed and how it exited.
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Whether the Python tink interop tests run: when `python3 -c 'import tink'` works, and always under
    /// `CI=true`, where a missing tink fails them.
    static let canUsePythonTink = TestEnvironment.isCI || TestEnvironment.pythonImports("tink")

    /// The scratch directory, removed when the sandbox goes away.
    let directory: String

    init() throws {
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent("sealgate-keys-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A path inside the sandbox.
    func path(_ name: String) -> String {
        "\(directory)/\(name)"
    }

    /// The `--vault`, `--kek` and `--audit` options for `vault/`, `kek`'s file and `audit.log` in the sandbox.
    func local(kek: String = "kek.json") -> [String] {
        ["--vault", path("vault"), "--kek", path(kek), "--audit", path("audit.log")]
    }

    /// The audit log's lines, parsed.
    func auditEvents() throws -> [[String: Any]] {
        try String(contentsOfFile: path("audit.log"), encoding: .utf8).split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// Runs `sealgate ARGUMENTS` (or another executable) in the sandbox; `input` becomes its standard input
    /// through a file. A run that takes longer than 60 seconds is killed.
    func run(_ arguments: [String], input: String? = nil, executable: String = TestEnvironment.sealgateBinary) async throws
        -> Outcome
    {
        let output = try await runProcess(executable, arguments, input: Data((input ?? "").utf8), in: self.directory)
        return Outcome(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }

    /// Runs `sealgate ARGUMENTS` and expects it to succeed.
    @discardableResult
    func succeed(_ arguments: [String], input: String? = nil, sourceLocation: SourceLocation = #_sourceLocation)
        async throws
        -> Outcome
    {
        let outcome = try await run(arguments, input: input)
        #expect(
            outcome.status == 0,
            "sealgate \(arguments.joined(separator: " ")): \(outcome.stderr)",
            sourceLocation: sourceLocation
        )
        return outcome
    }
}
