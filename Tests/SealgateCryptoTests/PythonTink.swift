import Foundation
import SealgateTestSupport
import Testing

/// Python `tink` (PyPI), the independent Tink implementation that the interop tests compare against.
///
/// The interop tests run when `python3 -c 'import tink'` works, and always when `CI=true`; there a missing
/// `tink` fails them with a message saying to `pip install tink`.
enum PythonTink {
    /// Tests/SealgateCryptoTests/Interop/tink_interop.py, beside this file.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Interop/tink_interop.py").path

    static let isInstalled = TestEnvironment.pythonImports("tink")
    static let isRequired = TestEnvironment.isCI

    /// Runs a command of the interop script and returns what it printed.
    static func run(_ arguments: String...) async throws -> String {
        guard isInstalled else {
            throw TestFailure("Python tink is not importable by python3: run `pip install tink`")
        }
        let output = try await runProcess("python3", [script] + arguments)
        guard output.status == 0 else {
            throw TestFailure("tink_interop.py \(arguments.joined(separator: " ")) failed: \(output.stderr)")
        }
        return output.stdout
    }
}

extension Trait where Self == ConditionTrait {
    /// Enables a test when Python tink is installed or `CI=true`; otherwise it is skipped, since interop needs
    /// the independent implementation (`pip install tink`).
    static var pythonTink: Self {
        .enabled(if: PythonTink.isInstalled || PythonTink.isRequired, "needs Python tink: pip install tink")
    }
}
