import Foundation
import Testing

extension EndToEndTests {
    @Suite("Hostile input and failing backends")
    struct HostileInput {
        @Test(
            "HTTP/1.1 framing attacks get 400 and are never forwarded",
            arguments: [
                "POST /v1/patients HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "POST /v1/patients HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                "POST /v1/patients HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello",
                "POST /v1/patients HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                "POST /v1/patients HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n",
                "GET /v1/patients HTTP/1.1\r\nHost : x\r\n\r\n",
                "GET /v1/patients HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n",
                "POST /v1/patients HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            ]
        )
        func framingAttacks(request: String) async throws {
            try await ProxyHarness.with { harness in
                let response = try await harness.rawTLS(request)
                #expect(response.hasPrefix("HTTP/1.1 400"), "\(response)")
                #expect(response.contains("application/problem+json"))
                #expect(harness.backend.records().allSatisfy { !$0.complete })
            }
        }

        @Test("a header block over max_header gets 431")
        func headerTooLarge() async throws {
            try await ProxyHarness.with { harness in
                let big = String(repeating: "a", count: 10_000)
                let result = try await harness.curl("/v1/patients", ["--http1.1", "-H", "X-Big: \(big)"])
                #expect(result.status == 431)
                let h2 = try await harness.curl("/v1/patients", ["--http2", "-H", "X-Big: \(big)"])
                #expect(h2.status != 200)
                #expect(harness.backend.records().isEmpty)
            }
        }

        @Test("a body over max_body gets 413 and never reaches the backend complete")
        func bodyTooLarge() async throws {
            try await ProxyHarness.with { harness in
                let file = harness.directory.appendingPathComponent("two-mib")
                try Data(repeating: 0x61, count: 2 << 20).write(to: file)
                let known = try await harness.curl("/v1/patients", ["--http1.1", "--data-binary", "@\(file.path)"])
                #expect(known.status == 413)
                #expect(known.json?["code"] as? String == "payload_too_large")
                let chunked = try await harness.curl(
                    "/v1/patients",
                    ["--http1.1", "-H", "Transfer-Encoding: chunked", "--data-binary", "@\(file.path)"]
                )
                #expect(chunked.status == 413 || chunked.exitCode != 0)
                let h2 = try await harness.curl("/v1/patients", ["--http2", "--data-binary", "@\(file.path)"])
                #expect(h2.status == 413 || h2.exitCode != 0)
                #expect(harness.backend.records().allSatisfy { !$0.complete })
            }
        }

        @Test("a slow header sender gets 408 and is closed while others are served")
        func slowHeaders() async throws {
            try await ProxyHarness.with { harness in
                async let slow = harness.rawTLS("GET /v1/patients HTTP/1.1\r\nHost: x\r\n")
                try await Task.sleep(for: .milliseconds(300))
                let other = try await harness.curl("/v1/patients")
                let response = try await slow
                #expect(other.status == 200)
                #expect(response.hasPrefix("HTTP/1.1 408"), "\(response)")
                #expect(response.contains("header_timeout"))
            }
        }

        @Test("an unreachable backend gives 502 problem+json")
        func backendDown() async throws {
            let configuration = ProxyHarness.defaultConfiguration.replacingOccurrences(of: "{BACKEND}", with: "1")
            try await ProxyHarness.with(configuration: configuration) { harness in
                let result = try await harness.curl("/v1/patients")
                #expect(result.status == 502)
                #expect(result.header("content-type") == "application/problem+json")
                #expect(result.json?["code"] as? String == "upstream_unavailable")
            }
        }

        @Test("a backend slower than upstream.timeout gives 504")
        func backendTooSlow() async throws {
            try await ProxyHarness.with { harness in
                let start = ContinuousClock.now
                let result = try await harness.curl("/slow?ms=6000")
                #expect(result.status == 504)
                #expect(result.json?["code"] as? String == "upstream_timeout")
                #expect(ContinuousClock.now - start < .seconds(5))
            }
        }

        @Test("on a kept-alive connection, upstream.timeout runs from each request's end, not the first one's")
        func backendTooSlowOnAKeptAliveConnection() async throws {
            try await ProxyHarness.with { harness in
                // The first request's deadline (3 s after it) passes while the second waits for its backend:
                // the second is answered 504 only 3 s after it was sent, about 4 s after the first.
                let start = ContinuousClock.now
                let output = try await harness.rawTLS(
                    "GET /slow?ms=1000 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                        + "GET /slow?ms=6000 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                )
                let elapsed = ContinuousClock.now - start
                // The status lines, wherever a body without a final newline put them.
                let statuses = output.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
                #expect(statuses == ["200", "504"], "\(output)")
                #expect(output.contains("upstream_timeout"))
                #expect(elapsed >= .milliseconds(3900) && elapsed < .seconds(6), "\(elapsed)")
            }
        }

        @Test("connections beyond max_connections are closed")
        func maxConnections() async throws {
            let configuration = ProxyHarness.defaultConfiguration.replacingOccurrences(
                of: "idle_timeout: 5s}",
                with: "idle_timeout: 5s, max_connections: 1}"
            )
            try await ProxyHarness.with(configuration: configuration) { harness in
                async let held = harness.curl("/slow?ms=1500")
                try await Task.sleep(for: .milliseconds(500))
                let refused = try await harness.curl("/v1/patients")
                #expect(refused.exitCode != 0)
                #expect(try await held.status == 200)
                let after = try await harness.curl("/v1/patients")
                #expect(after.status == 200)
            }
        }
    }
}

extension EndToEndTests.HostileInput {
    static let smuggled = "POST /v1/patients HTTP/1.1\r\nHost: x\r\nX-Forwarded-Client-Cert: URI=spiffe://evil\r\n"
        + "Content-Type: application/json\r\nContent-Length: 21\r\n\r\n{\"ssn\":\"078-05-1120\"}"

    @Test("Connection: content-length cannot turn a body into a second request")
    func connectionHeaderSmuggling() async throws {
        try await ProxyHarness.with { harness in
            let request = "GET /elsewhere HTTP/1.1\r\nHost: x\r\nContent-Length: \(Self.smuggled.utf8.count)\r\n"
                + "Connection: content-length\r\n\r\n" + Self.smuggled
            _ = try await harness.rawTLS(request, timeout: .seconds(8))
            let records = harness.backend.records()
            #expect(records.count == 1)
            #expect(records.first?.path == "/elsewhere")
            #expect(records.first?.body_length == Self.smuggled.utf8.count)
        }
    }

    @Test("TRACE with a body is refused, never forwarded")
    func traceSmuggling() async throws {
        try await ProxyHarness.with { harness in
            let request = "TRACE /elsewhere HTTP/1.1\r\nHost: x\r\nContent-Length: \(Self.smuggled.utf8.count)\r\n\r\n" + Self.smuggled
            let response = try await harness.rawTLS(request, timeout: .seconds(8))
            #expect(response.hasPrefix("HTTP/1.1 501"))
            #expect(harness.backend.records().isEmpty)
        }
    }

    @Test("after an Upgrade request the connection is closed, not left hanging")
    func upgradeCloses() async throws {
        try await ProxyHarness.with { harness in
            let start = ContinuousClock.now
            let response = try await harness.rawTLS(
                "GET /elsewhere HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
                    + "GET /elsewhere HTTP/1.1\r\nHost: x\r\n\r\n",
                timeout: .seconds(8)
            )
            #expect(response.hasPrefix("HTTP/1.1 200"))
            #expect(response.lowercased().contains("connection: close"))
            #expect(ContinuousClock.now - start < .seconds(3))
        }
    }
}
