import Foundation
import Testing

@Suite("sealgate demo")
struct DemoCheckTests {
    /// `demo --check` runs curl; under `CI=true` a missing curl fails the test instead of skipping it.
    static let hasCurl =
        ProcessInfo.processInfo.environment["CI"] == "true"
        || ["/usr/bin/curl", "/usr/local/bin/curl", "/opt/homebrew/bin/curl"].contains(
            where: FileManager.default.isExecutableFile)

    /// A loopback port that was free a moment ago.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test(
        "--check runs the guided tour end to end, twice on the same directory", .enabled(if: Self.hasCurl, "needs curl")
    )
    func check() async throws {
        let sandbox = try KeysSandbox()
        for run in 1...2 {
            let ports = try ["--port", "--admin-port", "--backend-port"].flatMap { [$0, String(try Self.freePort())] }
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
