import Foundation
import SealgateTestSupport
import Testing

@Suite("sealgate demo")
struct DemoCheckTests {
    /// `demo --check` runs curl; under `CI=true` a missing curl fails the test instead of skipping it.
    static let hasCurl =
        ProcessInfo.processInfo.environment["CI"] == "true"
        || ["/usr/bin/curl", "/usr/local/bin/curl", "/opt/homebrew/bin/curl"].contains(
            where: FileManager.default.isExecutableFile)

    /// A loopback port that was free a moment ago.

    @Test(
        "--check runs the guided tour end to end, twice on the same directory", .enabled(if: Self.hasCurl, "needs curl")
    )
    func check() async throws {
        let sandbox = try KeysSandbox()
        for run in 1...2 {
            let ports = try ["--port", "--admin-port", "--backend-port"].flatMap { [$0, String(try TestEnvironment.freePort())] }
            let outcome = try await sandbox.run(["demo", "--check", "--dir", "demo"] + ports)
            #expect(outcome.status == 0, "run \(run): \(outcome.stdout)\n\(outcome.stderr)")
            #expect(!outcome.stdout.contains("✗"), "run \(run): \(outcome.stdout)")
            #expect(outcome.stdout.components(separatedBy: "✓").count - 1 == 10, "run \(run): \(outcome.stdout)")
        }
        let records = try String(contentsOfFile: sandbox.path("demo/records.jsonl"), encoding: .utf8)
        #expect(records.split(separator: "\n").count == 2)
        #expect(!records.contains("078-05-1120"))
    }
}
