import Foundation
import SealgateTestSupport
import Testing

/// One HTTP/2 stream's fault never costs another stream: an oversized header block is refused on its own stream.
@Suite("HTTP/2 stream isolation", .serialized, .requires("python3"))
struct HTTP2StreamIsolationTests {
    struct Outcome: Decodable {
        struct Stream: Decodable {
            var status: Int
            var code: String?
            var reset: Int?
        }

        var goaway: Int?
        var seconds: Double?
        var streams: [String: Stream]
    }

    @Test(
        "a header block over max_header gets 431 on its stream (HEADERS alone, or with CONTINUATION); the POST beside it completes",
        .enabled(if: TestEnvironment.isCI || TestEnvironment.pythonImports("h2"), "needs Python h2 (installed by .ci/run)"),
        arguments: [12_000, 40_000, 100 << 10]
    )
    func oversizedHeaderBlock(bytes: Int) async throws {
        try await ProxyHarness.with { harness in
            let pki = harness.pki
            let client = TestEnvironment.testsDirectory.appendingPathComponent("Fixtures/h2_streams.py").path
            let output = try await runProcess(
                "python3",
                [client, String(harness.proxy.port), pki.caPath, pki.certificatePath(.writer), pki.keyPath(.writer), String(bytes)]
            )
            let outcome = try JSONDecoder().decode(Outcome.self, from: output.standardOutput)
            // The harness's max_header is 8 KiB.
            #expect(outcome.goaway == nil)
            #expect(outcome.streams["3"]?.status == 431)
            #expect(outcome.streams["3"]?.code == "header_too_large")
            #expect((outcome.seconds ?? 99) < 1)
            #expect(outcome.streams["1"]?.status == 200)
            // Nothing of the refused request reached the backend.
            #expect(!harness.backend.records().contains { $0.path == "/v1/patients" })
        }
    }

    struct FloodOutcome: Decodable {
        var goaway: Int?
        var answered: Bool
    }

    @Test(
        "a CONTINUATION flood still ends the connection with GOAWAY ENHANCE_YOUR_CALM, nothing forwarded",
        .enabled(if: TestEnvironment.isCI || TestEnvironment.pythonImports("h2"), "needs Python h2 (installed by .ci/run)")
    )
    func continuationFlood() async throws {
        try await ProxyHarness.with { harness in
            let pki = harness.pki
            let client = TestEnvironment.testsDirectory.appendingPathComponent("Fixtures/h2_continuation_flood.py").path
            let output = try await runProcess(
                "python3",
                [client, String(harness.proxy.port), pki.caPath, pki.certificatePath(.writer), pki.keyPath(.writer), "200"]
            )
            let outcome = try JSONDecoder().decode(FloodOutcome.self, from: output.standardOutput)
            #expect(outcome.goaway == 11, "\(output.stdout) \(output.stderr)")
            #expect(!outcome.answered)
            #expect(harness.backend.records().isEmpty)
        }
    }
}
