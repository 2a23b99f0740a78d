import Foundation
import Testing

/// Python `tink` (PyPI), the independent Tink implementation that the interop tests compare against.
///
/// The interop tests run when `python3 -c 'import tink'` works, and always when `CI=true`; there a missing
/// `tink` fails them with a message saying to `pip install tink`.
enum PythonTink {
    /// Tests/SealgateCryptoTests/Interop/tink_interop.py, beside this file.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Interop/tink_interop.py").path

    static let isInstalled = (try? python(["-c", "import tink"])) != nil
    static let isRequired = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Runs a command of the interop script and returns what it printed.
    static func run(_ arguments: String...) throws -> String {
        guard isInstalled else {
            throw Failure(description: "Python tink is not importable by python3: run `pip install tink`")
        }
        return try python([script] + arguments)
    }

    private static func python(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: complaint, as: UTF8.self)
            throw Failure(description: "python3 \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return String(decoding: printed, as: UTF8.self)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}

extension Trait where Self == ConditionTrait {
    /// Enables a test when Python tink is installed or `CI=true`; otherwise it is skipped, since interop needs
    /// the independent implementation (`pip install tink`).
    static var pythonTink: Self {
        .enabled(if: PythonTink.isInstalled || PythonTink.isRequired, "needs Python tink: pip install tink")
    }
}
