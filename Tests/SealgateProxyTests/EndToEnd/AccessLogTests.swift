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
    }
}
