import Foundation
import SealgateCrypto
import SealgateTestSupport
import Testing

extension EndToEndTests {
    /// Per-tenant keys over real requests: the writer (`…/ns/intake/…`) and the reader (`…/ns/clinic/…`) are two
    /// tenants of one rule `pii-{uri:2}`.
    @Suite("Per-tenant keys")
    struct TenantKeys {
        static let configuration = ProxyHarness.defaultConfiguration.replacingOccurrences(
            of: """
                routes:
                  - match: {path: /v1/patients, methods: [GET, POST, PUT]}
                """,
            with: """
                keys: {vault: keys, kek: {provider: local, path: kek.json}}
                routes:
                  - match: {path: /v1/patients, methods: [GET, POST, PUT]}
                    encrypt:
                      - {path: $.ssn, key: "pii-{uri:2}"}
                    decrypt_responses:
                      allow: [{uri: "spiffe://example.org/ns/*/sa/writer"}, {dns: reader.clinic.internal}]
                """
        )

        static func vault(in directory: URL) throws -> KeyVault {
            KeyVault(
                directory: directory.appendingPathComponent("keys").path,
                provider: try LocalKeyEncryptionKey(contentsOf: directory.appendingPathComponent("kek.json").path)
            )
        }

        static func post(_ harness: ProxyHarness, _ record: String, ssn: String, as client: TestPKI.Client) async throws -> HTTPResult {
            try await harness.curl(
                "/v1/patients/records/\(record)", as: client,
                ["-H", "content-type: application/json", "--data-binary", #"{"ssn":"\#(ssn)"}"#]
            )
        }

        @Test("each tenant writes under its own key and reads only its own values; shredding one tenant leaves the other")
        func twoTenants() async throws {
            try await ProxyHarness.with(configuration: Self.configuration, prepare: { directory in
                _ = try LocalKeyEncryptionKey.create(at: directory.appendingPathComponent("kek.json").path)
                try KeyVault.createDirectory(at: directory.appendingPathComponent("keys").path)
                for tenant in ["intake", "clinic"] { try await Self.vault(in: directory).create("pii-\(tenant)", type: .aes256GCM) }
            }) { harness in
                #expect(try await Self.post(harness, "a", ssn: "111-11-1111", as: .writer).status == 200)
                #expect(harness.backend.records().last?.body?.hasPrefix(#"{"ssn":"sg1:pii-intake:"#) == true)
                #expect(try await Self.post(harness, "b", ssn: "222-22-2222", as: .reader).status == 200)
                let stored = harness.backend.records().last?.body ?? ""
                #expect(stored.hasPrefix(#"{"ssn":"sg1:pii-clinic:"#), "\(stored)")

                #expect(try await harness.curl("/v1/patients/records/a", as: .writer).bodyText == #"{"ssn":"111-11-1111"}"#)
                #expect(try await harness.curl("/v1/patients/records/b", as: .reader).bodyText == #"{"ssn":"222-22-2222"}"#)
                // Both may read the route, but neither gets the other tenant's plaintext.
                let crossed = try await harness.curl("/v1/patients/records/a", as: .reader)
                #expect(crossed.status == 200 && crossed.bodyText.hasPrefix(#"{"ssn":"sg1:pii-intake:"#), "\(crossed.bodyText)")
                #expect(!(try await harness.curl("/v1/patients/records/b", as: .writer).bodyText.contains("222-22-2222")))

                // Crypto-shred the clinic tenant: its writes are refused, the intake tenant is untouched.
                try await Self.vault(in: harness.directory).destroy("pii-clinic")
                var refused = try await Self.post(harness, "c", ssn: "333", as: .reader)
                for _ in 0..<50 where refused.status == 200 {
                    try await Task.sleep(for: .milliseconds(200))
                    refused = try await Self.post(harness, "c", ssn: "333", as: .reader)
                }
                #expect(refused.status == 403)
                #expect(refused.json?["code"] as? String == "no_key_for_identity")
                #expect(!refused.bodyText.contains("pii-clinic"), "the problem does not name another tenant's key")
                #expect(try await harness.curl("/v1/patients/records/a", as: .writer).bodyText == #"{"ssn":"111-11-1111"}"#)
                #expect(try await Self.post(harness, "d", ssn: "444", as: .writer).status == 200)
            }
        }
    }
}
