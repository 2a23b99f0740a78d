import Foundation

/// Where the built tools are and which independent peers exist on this machine, for every test target.
public enum TestEnvironment {
    /// Under CI every peer must exist: a missing tool fails the test instead of skipping it.
    public static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The root of this package.
    public static let packageDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `sealgate` executable built beside the test bundle, else `.build/debug/sealgate` of this package.
    public static let sealgateBinary: String = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        // The test bundle may be a directory (…/sealgatePackageTests.xctest/…) on some platforms.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("sealgate").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return packageDirectory.appendingPathComponent(".build/debug/sealgate").path
    }()

    /// Whether an executable is on PATH.
    public static func has(_ tool: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
    }

    /// Whether `python3 -c "import MODULES"` succeeds.
    public static func pythonImports(_ modules: String) -> Bool {
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
    public static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sealgate-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
