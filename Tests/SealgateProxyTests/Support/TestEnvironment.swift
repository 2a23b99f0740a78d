import Foundation
import SealgateTestSupport

extension TestEnvironment {
    /// The directory holding this test target's files.
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    static let backendScript = testsDirectory.appendingPathComponent("Fixtures/backend.py").path
}
