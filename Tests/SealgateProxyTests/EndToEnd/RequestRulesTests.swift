import Foundation
import Testing

extension EndToEndTests {
    @Suite("Routes, paths and headers")
    struct RequestRules {
        @Test("paths are normalized before matching, and the normalized path goes upstream")
        func pathNormalization() async throws {
            try await ProxyHarness.with { harness in
                let result = try await harness.curl("/v1/./x/..//patients/%7e7%41?q=%2F&b", ["--path-as-is"])
                #expect(result.status == 200)
                #expect(result.echoed?.path == "/v1/patients/~7A?q=%2F&b")
            }
        }

        @Test(
            "ambiguous paths are refused with 400",
            arguments: ["/v1/patients%2F7", "/v1/patients/%5C7", "/v1/%00", "/../etc/passwd", "/v1/%zz", "/v1/a\\b"]
        )
        func ambiguousPaths(path: String) async throws {
            try await ProxyHarness.with { harness in
                let result = try await harness.curl(path, ["--path-as-is", "--http1.1"])
                #expect(result.status == 400)
                #expect(result.json?["code"] as? String == "invalid_path")
                #expect(harness.backend.records().isEmpty)
            }
        }

        @Test("a method the route does not list gets 405 with Allow, whatever its spelling")
        func methodNotAllowed() async throws {
            try await ProxyHarness.with { harness in
                for method in ["DELETE", "post", "Get"] {
                    let result = try await harness.curl("/v1/patients", ["-X", method, "--http1.1"])
                    #expect(result.status == 405, "\(method)")
                    #expect(result.header("allow") == "GET, POST, PUT")
                }
                #expect(harness.backend.records().isEmpty)
            }
        }

        @Test("CONNECT is refused with 501")
        func connectRefused() async throws {
            try await ProxyHarness.with { harness in
                let response = try await harness.rawTLS("CONNECT localhost:22 HTTP/1.1\r\nHost: localhost:22\r\n\r\n")
                #expect(response.hasPrefix("HTTP/1.1 501"))
                #expect(harness.backend.records().isEmpty)
            }
        }

        @Test("requests outside every route pass through under the global authorization")
        func passthrough() async throws {
            try await ProxyHarness.with { harness in
                let allowed = try await harness.curl("/elsewhere", ["-X", "DELETE"])
                let refused = try await harness.curl("/elsewhere", as: .intruder)
                #expect(allowed.status == 200)
                #expect(allowed.echoed?.method == "DELETE")
                #expect(refused.status == 403)
            }
        }

        @Test("hop-by-hop headers are dropped and forwarding headers set")
        func hopByHopHeaders() async throws {
            try await ProxyHarness.with { harness in
                let result = try await harness.curl(
                    "/v1/patients",
                    [
                        "--http1.1", "-H", "Connection: keep-alive, X-Internal", "-H", "X-Internal: secret",
                        "-H", "Keep-Alive: timeout=5", "-H", "TE: trailers", "-H", "Upgrade: websocket",
                        "-H", "Proxy-Connection: keep-alive", "-H", "X-Forwarded-For: 10.0.0.1",
                        "-H", "X-Forwarded-Proto: http", "-H", "X-Kept: yes",
                    ]
                )
                let seen = try #require(result.echoed)
                for name in ["connection", "x-internal", "keep-alive", "te", "upgrade", "proxy-connection"] {
                    #expect(seen.values(name).isEmpty, "\(name)")
                }
                #expect(seen.values("x-forwarded-for") == ["10.0.0.1, 127.0.0.1"])
                #expect(seen.values("x-forwarded-proto") == ["https"])
                #expect(seen.values("x-kept") == ["yes"])
            }
        }

        @Test("a valid client x-request-id is kept, an invalid one replaced")
        func requestID() async throws {
            try await ProxyHarness.with { harness in
                let kept = try await harness.curl("/v1/patients", ["-H", "x-request-id: trace-42.a_b:c"])
                let replaced = try await harness.curl("/v1/patients", ["-H", "x-request-id: bad id with spaces"])
                #expect(kept.header("x-request-id") == "trace-42.a_b:c")
                #expect(kept.echoed?.values("x-request-id") == ["trace-42.a_b:c"])
                #expect(replaced.header("x-request-id")?.count == 32)
                #expect(replaced.echoed?.values("x-request-id") == [replaced.header("x-request-id") ?? "?"])
            }
        }

        @Test("the admin listener answers health, readiness and metrics")
        func admin() async throws {
            try await ProxyHarness.with { harness in
                _ = try await harness.curl("/v1/patients")
                let base = "http://127.0.0.1:\(harness.proxy.adminPort ?? 0)"
                let health = try await HTTPResult.curl([base + "/healthz"], in: harness.directory)
                let ready = try await HTTPResult.curl([base + "/readyz"], in: harness.directory)
                let metrics = try await HTTPResult.curl([base + "/metrics"], in: harness.directory)
                #expect(health.status == 200)
                #expect(ready.status == 200)
                #expect(metrics.bodyText.contains(#"sealgate_requests_total{route="/v1/patients",status="200"} 1"#))
                #expect(metrics.bodyText.contains("sealgate_request_duration_seconds_bucket"))
                #expect(metrics.bodyText.contains("sealgate_open_connections"))
                let access = harness.proxy.logEntries().filter { $0["msg"] == "access" }
                #expect(access.count == 1)
                #expect(access.first?["identity"] == TestPKI.writerURI)
                #expect(access.first?["status"] == "200")
            }
        }
    }
}
