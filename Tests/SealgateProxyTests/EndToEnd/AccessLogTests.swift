import Foundation
import Testing
import SealgateTestSupport

extension EndToEndTests {
    @Suite("Access log")
    struct AccessLog {
        @Test("access log numbers are JSON numbers: jq 'select(.status >= 400)' picks the refused requests", .requires("jq"))
        func numbersAreJSONNumbers() async throws {
            try await EncryptingRoutes.withEncryptingProxy { harness, _ in
                let write = try await harness.curl(
                    "/v1/patients", ["-H", "content-type: application/json", "--data-binary", EncryptingRoutes.document]
                )
                #expect(write.status == 200)
                #expect(try await harness.curl("/v1/clinic/notes").status == 403)
                #expect(try await harness.curl("/v1/patients", ["-X", "DELETE"]).status == 405)

                let refused = try await runProcess("jq", ["-c", #"select(.msg == "access" and .status >= 400) | [.status, .problem]"#, harness.proxy.logURL.path])
                #expect(refused.status == 0, "\(refused.stderr)")
                #expect(refused.stdout.split(separator: "\n") == [#"[403,"forbidden"]"#, #"[405,"method_not_allowed"]"#])

                let types = try await runProcess(
                    "jq", ["-r", #"select(.msg == "access" and .status == 200) | [.status, .bytes_in, .bytes_out, .duration_ms, .fields_encrypted] | map(type) | join(" ")"#, harness.proxy.logURL.path]
                )
                #expect(types.stdout == "number number number number number\n", "\(types.stdout)\(types.stderr)")
                let line = try #require(String(contentsOf: harness.proxy.logURL, encoding: .utf8).split(separator: "\n").first { $0.contains(#""status":200"#) })
                let entry = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(entry["fields_encrypted"] as? Int == 4)
                #expect(entry["bytes_in"] as? Int == EncryptingRoutes.document.utf8.count)
                #expect((entry["duration_ms"] as? Double).map { $0 > 0 && $0 < 10_000 } == true)
                #expect(entry["request_id"] is String && entry["route"] as? String == "/v1/patients")
            }
        }
    
        @Test("access lines name protocol, client, user agent, authority and backend; one route convention; sealgate's own answers count their bytes")
        func fieldsAndRoutes() async throws {
            try await ProxyHarness.with { harness in
                #expect(try await harness.curl("/v1/patients/7", ["--http1.1", "-A", "probe/1.0"]).status == 200)
                #expect(try await harness.curl("/v1/patients", ["--http2", "-X", "DELETE"]).status == 405)
                #expect(try await harness.curl("/elsewhere", ["--http1.1"]).status == 200)
                #expect(try await harness.curl("/v1/clinic/notes", ["--http1.1"]).status == 403)
                #expect(try await harness.curl("/a/%2e%2e/%2e%2e/x", ["--http1.1", "--path-as-is"]).status == 400)
                let lines = try String(contentsOf: harness.proxy.logURL, encoding: .utf8).split(separator: "\n")
                    .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                    .filter { $0["msg"] as? String == "access" }
                #expect(lines.count == 5)
                guard lines.count == 5 else { return }
                let (get, delete, passthrough, forbidden, invalid) = (lines[0], lines[1], lines[2], lines[3], lines[4])
                #expect(get["protocol"] as? String == "HTTP/1.1")
                #expect((get["client_address"] as? String)?.hasPrefix("127.0.0.1:") == true)
                #expect(get["user_agent"] as? String == "probe/1.0")
                #expect(get["authority"] as? String == "localhost:\(harness.proxy.port)")
                #expect(get["upstream_address"] as? String == "127.0.0.1:\(harness.backend.port)")
                #expect((get["upstream_duration_ms"] as? Double).map { $0 > 0 && $0 <= (get["duration_ms"] as? Double ?? 0) } == true)
                #expect(get["route"] as? String == "/v1/patients")
                #expect(delete["protocol"] as? String == "HTTP/2")
                #expect(delete["authority"] as? String == "localhost:\(harness.proxy.port)")
                // Refused on a route: the route's name, the problem's bytes, and no backend.
                #expect(delete["route"] as? String == "/v1/patients")
                #expect((delete["bytes_out"] as? Int ?? 0) > 0)
                #expect(delete["upstream_address"] == nil && delete["upstream_duration_ms"] == nil)
                #expect(passthrough["route"] as? String == "passthrough")
                #expect(forbidden["route"] as? String == "/v1/clinic/**")
                #expect((forbidden["bytes_out"] as? Int ?? 0) > 0)
                // A target that cannot be routed.
                #expect(invalid["route"] as? String == "-")
                #expect(invalid["problem"] as? String == "invalid_path")
            }
        }
    }
}
