import Foundation
import Testing

/// Where things are and which independent peers exist on this machine.
enum TestEnvironment {
    /// Under CI every peer must exist: a missing tool fails the test instead of skipping it.
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The directory holding this test target's files.
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    static let backendScript = testsDirectory.appendingPathComponent("Fixtures/backend.py").path

    /// The `sealgate` executable built beside the test bundle.
    static let sealgateBinary: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = beside.deletingLastPathComponent()
        // The test bundle may be a directory (…/sealgatePackageTests.xctest/…) on some platforms.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("sealgate").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let packageRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/sealgate").path
    }()

    /// Whether an executable is on PATH.
    static func has(_ tool: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
    }

    /// Whether `python3 -c "import MODULES"` succeeds.
    static func pythonImports(_ modules: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import \(modules)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// A fresh temporary directory.
    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sealgate-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test when the tools exist, always under CI (where a missing tool is a failure).
    static func requires(_ tools: String...) -> Self {
        .enabled(
            if: TestEnvironment.isCI || tools.allSatisfy(TestEnvironment.has),
            "needs \(tools.joined(separator: ", ")) (installed by .ci/run)"
        )
    }
}

/// The outcome of a finished child process.
struct ProcessOutput {
    var status: Int32
    var standardOutput: Data
    var standardError: Data

    var stdout: String { String(decoding: self.standardOutput, as: UTF8.self) }
    var stderr: String { String(decoding: self.standardError, as: UTF8.self) }
}

/// Runs a program to completion without blocking the test's thread; input goes to its stdin.
func runProcess(_ executable: String, _ arguments: [String], input: Data? = nil, timeout: Duration = .seconds(60)) async throws
    -> ProcessOutput
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    let directory = try TestEnvironment.makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let outURL = directory.appendingPathComponent("out")
    let errURL = directory.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    var handles = [try FileHandle(forWritingTo: outURL), try FileHandle(forWritingTo: errURL)]
    // Closed here once the child has its own copies: Foundation's Process keeps them open otherwise, and a suite that
    // leaked a few per child reached over 1,300 descriptors, where Process.run() itself crashes (an over-read while
    // listing /proc/self/fd, swift-corelibs-foundation#5472).
    defer { handles.forEach { try? $0.close() } }
    process.standardOutput = handles[0]
    process.standardError = handles[1]
    if let input {
        // A file rather than a pipe: the child then always sees end-of-input.
        let inURL = directory.appendingPathComponent("in")
        try input.write(to: inURL)
        handles.append(try FileHandle(forReadingFrom: inURL))
        process.standardInput = handles[2]
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do {
            try process.run()
        } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
            return
        }
        let deadline = DispatchTime.now() + .milliseconds(Int(timeout.components.seconds * 1000))
        DispatchQueue.global().asyncAfter(deadline: deadline) { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    }
    return ProcessOutput(
        status: status,
        standardOutput: (try? Data(contentsOf: outURL)) ?? Data(),
        standardError: (try? Data(contentsOf: errURL)) ?? Data()
    )
}
