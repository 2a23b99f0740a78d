import Foundation
import SealgateCrypto
import Testing

extension EndToEndTests {
    /// DESIGN.md "Lifecycle and trust rules": on rule routes, a member name equal to a rule's ignoring ASCII case but
    /// not byte-equal gets 400 `ambiguous_field`, so that a backend matching names loosely (many JSON binders do)
    /// never reads `SSN` in plaintext beside a rule for `$.ssn`. `exact_names: true` turns this off.
    @Suite("Near-miss member names on rule routes")
    struct AmbiguousField {
        static let configuration = EncryptingRoutes.configuration.replacingOccurrences(
            of: "  - match: {path: /v1/clinic/**}",
            with: """
                  - match: {path: /v1/exact}
                    exact_names: true
                    encrypt: [{path: $.ssn, key: pii}]
                  - match: {path: /v1/clinic/**}
                """
        )

        static func post(_ harness: ProxyHarness, _ path: String, _ body: String) async throws -> HTTPResult {
            try await harness.curl(path, ["--http1.1", "-H", "content-type: application/json", "--data-binary", body])
        }

        @Test("SSN beside a rule for $.ssn is refused with 400 ambiguous_field naming the rule, never the value")
        func nearMissRefused() async throws {
            let ciphers = Locked<[String: FieldCipher]>([:])
            // The configuration of the encrypting routes as it is: no option is needed for the check.
            try await ProxyHarness.with(configuration: EncryptingRoutes.configuration, prepare: { ciphers.value = try await EncryptingRoutes.makeKeys(in: $0) }) {
                harness in
                for body in [#"{"name": "Ada", "SSN": "078-05-1120"}"#, #"{"contacts": [{"Phone": "+44 20 7946 0000"}]}"#] {
                    let result = try await Self.post(harness, "/v1/patients", body)
                    #expect(result.status == 400, "\(result.bodyText)")
                    #expect(result.header("content-type") == "application/problem+json")
                    #expect(result.json?["code"] as? String == "ambiguous_field")
                    #expect(!result.bodyText.contains("078-05-1120") && !result.bodyText.contains("7946"))
                }
                let detail = try await Self.post(harness, "/v1/patients", #"{"SSN": "078-05-1120"}"#).json?["detail"] as? String
                #expect(detail?.contains("$.ssn") == true, "\(detail ?? "")")
                #expect(harness.backend.records().isEmpty)
            }
        }

        @Test("exact names and names elsewhere pass; a route with exact_names: true forwards SSN as it is")
        func exactAndOptOut() async throws {
            let ciphers = Locked<[String: FieldCipher]>([:])
            try await ProxyHarness.with(configuration: Self.configuration, prepare: { ciphers.value = try await EncryptingRoutes.makeKeys(in: $0) }) {
                harness in
                let exact = try await Self.post(harness, "/v1/patients", #"{"ssn": "078-05-1120", "tags": [{"SSN": "x"}]}"#)
                #expect(exact.status == 200, "\(exact.bodyText)")
                let optedOut = try await Self.post(harness, "/v1/exact", #"{"SSN": "078-05-1120"}"#)
                #expect(optedOut.status == 200, "\(optedOut.bodyText)")
                #expect(harness.backend.records().last?.body == #"{"SSN": "078-05-1120"}"#)
            }
        }
    }
}
