import Foundation
import Testing

/// The built `sealgate` executable and a scratch directory to run `sealgate keys` in.
final class KeysSandbox {
    /// What a finished `sealgate` run printed and how it exited.
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `sealgate` beside the test bundle, else `.build/debug/sealgate` of this package.
    static let binary: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            beside.appendingPathComponent("sealgate"),
            beside.deletingLastPathComponent().appendingPathComponent("sealgate"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug/sealgate"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path ?? candidates[0].path
    }()

    /// Whether the Python tink interop tests run: when `python3 -c 'import tink'` works, and always under
    /// `CI=true`, where a missing tink fails them.
    static let canUsePythonTink = ProcessInfo.processInfo.environment["CI"] == "true" || pythonHasTink()

    /// Whether `python3 -c 'import tink'` works.
    private static func pythonHasTink() -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import tink"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else {
            return false
        }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

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
    func run(_ arguments: [String], input: String? = nil, executable: String = KeysSandbox.binary) async throws
        -> Outcome
    {
        let name = UUID().uuidString
        let files = ["out", "err", "in"].map { path(".\(name).\($0)") }
        defer { files.forEach { try? FileManager.default.removeItem(atPath: $0) } }
        for (file, contents) in zip(files, ["", "", input ?? ""]) {
            try contents.write(toFile: file, atomically: false, encoding: .utf8)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let handles = [
            try FileHandle(forWritingTo: URL(fileURLWithPath: files[0])),
            try FileHandle(forWritingTo: URL(fileURLWithPath: files[1])),
            try FileHandle(forReadingFrom: URL(fileURLWithPath: files[2])),
        ]
        // Foundation's Process would keep the test process's copies open for good.
        defer { handles.forEach { try? $0.close() } }
        process.standardOutput = handles[0]
        process.standardError = handles[1]
        process.standardInput = handles[2]
        let status = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
                return
            }
            // SIGKILL: children inherit the test runner's blocked SIGTERM.
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(60)) {
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                }
            }
        }
        return Outcome(
            status: status,
            stdout: try String(contentsOfFile: files[0], encoding: .utf8),
            stderr: try String(contentsOfFile: files[1], encoding: .utf8)
        )
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
