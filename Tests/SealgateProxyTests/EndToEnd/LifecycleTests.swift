import Foundation
import Testing
import SealgateTestSupport

/// Every phase of an exchange has a limit, and shutdown keeps its promise, whatever clients and the backend do.
/// The real proxy, a real backend (a hanging or stalling one where needed) and slow clients written in Python.
@Suite("Lifecycle: timeouts, pooled connections and shutdown", .serialized, .requires("curl", "openssl", "python3"))
struct LifecycleTests {
    static let slowClient = TestEnvironment.testsDirectory.appendingPathComponent("Fixtures/slow_client.py").path

    /// The harness's configuration with other limits and upstream settings.
    static func configuration(limits: String, upstream: String = "connect_timeout: 1s, timeout: 3s", grace: String = "10s") -> String {
        ProxyHarness.defaultConfiguration
            .replacingOccurrences(
                of: "limits: {max_body: 1MiB, max_header: 8KiB, header_timeout: 1s, idle_timeout: 5s}",
                with: "limits: {max_body: 1MiB, max_header: 8KiB, \(limits)}"
            )
            .replacingOccurrences(of: "connect_timeout: 1s, timeout: 3s", with: upstream)
            .replacingOccurrences(of: "shutdown_grace: 10s", with: "shutdown_grace: \(grace)")
    }

    struct SlowClientResult: Decodable {
        var status: Int
        var code: String?
        var received: Int
        var ended: Bool
        var seconds: Double
    }

    static func slowClient(_ harness: ProxyHarness, _ arguments: [String]) async throws -> SlowClientResult {
        let pki = harness.pki
        let output = try await runProcess(
            "python3",
            [Self.slowClient, arguments[0], String(harness.proxy.port), pki.caPath, pki.certificatePath(.writer), pki.keyPath(.writer)]
                + arguments.dropFirst()
        )
        guard let result = try? JSONDecoder().decode(SlowClientResult.self, from: output.standardOutput) else {
            throw TestFailure("slow_client.py failed: \(output.stdout) \(output.stderr)")
        }
        return result
    }

    @Test("a request body that stops arriving gets 408 body_timeout; the backend never sees a complete request")
    func bodyTimeout() async throws {
        try await ProxyHarness.with(configuration: Self.configuration(limits: "header_timeout: 1s, idle_timeout: 5s, body_timeout: 1s")) {
            harness in
            let result = try await Self.slowClient(harness, ["slow-body", "/v1/patients", "2", "5"])
            #expect(result.status == 408)
            #expect(result.code == "body_timeout")
            #expect(result.ended)
            #expect(result.seconds < 4)
            try await Task.sleep(for: .milliseconds(300))
            let records = harness.backend.records().filter { $0.path == "/v1/patients" }
            #expect(records.count == 1)
            #expect(records.first?.complete == false)
            #expect(harness.proxy.logEntries().contains { $0["msg"] == "access" && $0["problem"] == "body_timeout" })
        }
    }

    @Test("a backend that sends the head and stalls the body is cut after upstream.read_timeout")
    func upstreamReadTimeout() async throws {
        let configuration = Self.configuration(
            limits: "header_timeout: 1s, idle_timeout: 5s",
            upstream: "connect_timeout: 1s, timeout: 3s, read_timeout: 1s"
        )
        try await ProxyHarness.with(configuration: configuration) { harness in
            // curl: "transfer closed with 5 bytes remaining to read" over HTTP/1.1; the stream reset over HTTP/2.
            for (version, exitCode) in [("--http1.1", Int32(18)), ("--http2", Int32(92))] {
                let started = ContinuousClock.now
                let response = try await harness.curl("/stall?ms=20000", [version, "--max-time", "10"])
                #expect(response.status == 200)
                #expect(response.exitCode == exitCode, "\(version)")
                #expect(response.bodyText == "12345")
                #expect(ContinuousClock.now - started < .seconds(4))
            }
            let cut = harness.proxy.logEntries().filter { $0["msg"] == "access" && $0["problem"] == "upstream_read_timeout" }
            #expect(cut.count == 2)
        }
    }

    @Test("a client that stops reading its response is disconnected after limits.write_timeout")
    func writeTimeout() async throws {
        let configuration = Self.configuration(limits: "header_timeout: 1s, idle_timeout: 5s, write_timeout: 1s")
        try await ProxyHarness.with(configuration: configuration) { harness in
            let result = try await Self.slowClient(harness, ["no-read", "/download?bytes=200000000", "3"])
            #expect(result.status == 200)
            #expect(result.ended)
            #expect(result.received < 200_000_000)
            #expect(harness.proxy.logEntries().contains { $0["msg"] == "access" && $0["problem"] == "write_timeout" })
        }
    }

    /// The proxy's open file descriptors, its backend connections among them.
    static func openDescriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    @Test("pooled backend connections idle for upstream.idle_timeout are closed; descriptors return to their level")
    func poolIdleTimeout() async throws {
        let configuration = Self.configuration(
            limits: "header_timeout: 1s, idle_timeout: 30s",
            upstream: "connect_timeout: 1s, timeout: 3s, idle_timeout: 3s"
        )
        try await ProxyHarness.with(configuration: configuration) { harness in
            let baseline = Self.openDescriptors(harness.proxy.pid)
            // Overlapping requests on their own client connections (fewer than the test backend's listen backlog):
            // each needs its own backend connection, and they are all pooled afterwards.
            let urls = (0..<7).map { _ in harness.url("/slow?ms=500") }
            let burst = try await harness.curl(
                "/slow?ms=500",
                ["--http1.1", "--parallel", "--parallel-max", "8", "--parallel-immediate"] + urls
            )
            #expect(burst.exitCode == 0)
            let statuses = harness.proxy.logEntries().filter { $0["msg"] == "access" }.map { $0["status"] ?? "?" }
            #expect(statuses == Array(repeating: "200", count: 8))
            #expect(Self.openDescriptors(harness.proxy.pid) >= baseline + 4)
            try await Task.sleep(for: .seconds(5))
            #expect(Self.openDescriptors(harness.proxy.pid) <= baseline + 1)
        }
    }

    @Test("SIGTERM with a request on a hanging backend: exit 0 within shutdown_grace + 2 s")
    func shutdownGraceBoundsShutdown() async throws {
        let configuration = Self.configuration(
            limits: "header_timeout: 1s, idle_timeout: 30s",
            upstream: "connect_timeout: 1s, timeout: 60s",
            grace: "2s"
        )
        try await ProxyHarness.with(configuration: configuration) { harness in
            // A pooled idle connection, a request the backend will not answer for a minute, and a client slowly
            // sending a body.
            _ = try await harness.curl("/v1/patients")
            async let hanging = harness.curl("/slow?ms=60000", ["--max-time", "30"])
            async let slow = Self.slowClient(harness, ["slow-body", "/v1/patients", "0.5", "40"])
            try await Task.sleep(for: .milliseconds(700))
            let started = ContinuousClock.now
            let status = try await harness.proxy.stop(signal: SIGTERM, timeout: .seconds(10))
            let took = ContinuousClock.now - started
            #expect(status == 0)
            #expect(took < .seconds(4))
            #expect(took >= .seconds(2))
            let hung = try await hanging
            #expect(hung.status == 0 || hung.status == 502 || hung.status == 503)
            #expect(try await slow.ended)
            #expect(harness.proxy.logEntries().contains { $0["msg"] == "shutdown grace period over: closing the remaining connections" })
        }
    }

    struct IdleHTTP2Result: Decodable {
        var status: Int
        var goaway: Int?
        var closed: Bool
        var seconds: Double?
    }

    @Test(
        "SIGTERM with an idle HTTP/2 connection: GOAWAY, the connection closes, exit long before shutdown_grace",
        .enabled(if: TestEnvironment.isCI || TestEnvironment.pythonImports("h2"), "needs Python h2 (installed by .ci/run)")
    )
    func http2GracefulShutdown() async throws {
        try await ProxyHarness.with { harness in
            let pki = harness.pki
            let client = TestEnvironment.testsDirectory.appendingPathComponent("Fixtures/h2_idle_client.py").path
            async let idle = runProcess(
                "python3",
                [client, String(harness.proxy.port), pki.caPath, pki.certificatePath(.writer), pki.keyPath(.writer), "/v1/patients", "20"]
            )
            try await Task.sleep(for: .seconds(1))
            let started = ContinuousClock.now
            #expect(try await harness.proxy.stop(signal: SIGTERM, timeout: .seconds(15)) == 0)
            #expect(ContinuousClock.now - started < .seconds(3))
            let output = try await idle
            let result = try JSONDecoder().decode(IdleHTTP2Result.self, from: output.standardOutput)
            #expect(result.status == 200)
            // NO_ERROR: a graceful GOAWAY.
            #expect(result.goaway == 0)
            #expect(result.closed)
            #expect((result.seconds ?? 99) < 3)
        }
    }

    @Test("SIGTERM with nothing in flight exits at once")
    func quickShutdown() async throws {
        try await ProxyHarness.with { harness in
            _ = try await harness.curl("/v1/patients")
            let started = ContinuousClock.now
            #expect(try await harness.proxy.stop(signal: SIGTERM) == 0)
            #expect(ContinuousClock.now - started < .seconds(2))
        }
    }
}
