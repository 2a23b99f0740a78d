import Foundation
import SealgateCrypto
import Testing

extension EndToEndTests {
    @Suite("Key reload")
    struct KeyReload {
        typealias Routes = EndToEndTests.EncryptingRoutes

        static func keyID(ofTokenAt field: String, in body: String?) throws -> UInt32 {
            let object = try #require(try JSONSerialization.jsonObject(with: Data((body ?? "").utf8)) as? [String: Any])
            return try Token(parsing: try #require(object[field] as? String)).keyID
        }

        static func vault(in directory: URL) throws -> KeyVault {
            KeyVault(
                directory: directory.appendingPathComponent("keys").path,
                provider: try LocalKeyEncryptionKey(contentsOf: directory.appendingPathComponent("kek.json").path)
            )
        }

        @Test("after a rotation on a running proxy, new writes use the new primary and old tokens still decrypt; no request fails")
        func rotationWhileServing() async throws {
            try await Routes.withEncryptingProxy { harness, _ in
                let before = try await harness.curl(
                    "/v1/patients/records/old",
                    ["-H", "content-type: application/json", "--data-binary", #"{"ssn":"078-05-1120"}"#]
                )
                #expect(before.status == 200)
                let oldKeyID = try Self.keyID(ofTokenAt: "ssn", in: harness.backend.records().last?.body)

                let rotated = try await Self.vault(in: harness.directory).rotate("pii")
                #expect(rotated.primaryKeyID != oldKeyID)

                var statuses: [Int] = []
                var newKeyID: UInt32?
                for attempt in 0..<40 where newKeyID != rotated.primaryKeyID {
                    let write = try await harness.curl(
                        "/v1/patients/records/new",
                        ["-H", "content-type: application/json", "--data-binary", #"{"ssn":"078-05-1121"}"#]
                    )
                    statuses.append(write.status)
                    newKeyID = try Self.keyID(ofTokenAt: "ssn", in: harness.backend.records().last?.body)
                    if attempt > 0 { try await Task.sleep(for: .milliseconds(200)) }
                }
                #expect(statuses.allSatisfy { $0 == 200 })
                #expect(newKeyID == rotated.primaryKeyID, "the new primary was not used within 8 s")
                let old = try await harness.curl("/v1/patients/records/old", as: .reader)
                #expect(old.bodyText == #"{"ssn":"078-05-1120"}"#)
                let reloads = harness.proxy.logEntries().filter { $0["msg"] == "keys loaded" }
                #expect(reloads.last?["reason"] == "vault changed")
            }
        }

        @Test("keys missing at start: not ready and 503 on rule routes, until the key appears")
        func keysUnavailable() async throws {
            let ciphers = Locked<KeyVault?>(nil)
            try await ProxyHarness.with(
                configuration: Routes.configuration,
                waitForKeys: false,
                prepare: { directory in
                    _ = try await Routes.makeKeys(in: directory)
                    let vault = try Self.vault(in: directory)
                    try await vault.destroy("financial")
                    ciphers.value = vault
                }
            ) { harness in
                let admin = "http://127.0.0.1:\(harness.proxy.adminPort ?? 0)"
                let ready = try await HTTPResult.curl([admin + "/readyz"], in: harness.directory)
                #expect(ready.status == 503)
                #expect(ready.bodyText.contains("keys_unavailable"))
                let refused = try await harness.curl(
                    "/v1/patients",
                    ["-H", "content-type: application/json", "--data-binary", #"{"ssn":"078-05-1120"}"#]
                )
                #expect(refused.status == 503)
                #expect(refused.json?["code"] as? String == "keys_unavailable")
                let passthrough = try await harness.curl("/elsewhere")
                #expect(passthrough.status == 200)
                #expect(harness.backend.records().map(\.path) == ["/elsewhere"])

                _ = try await ciphers.value?.create("financial", type: .aes256GCM)
                var status = 0
                for _ in 0..<60 where status != 200 {
                    try await Task.sleep(for: .milliseconds(250))
                    status = try await HTTPResult.curl([admin + "/readyz"], in: harness.directory).status
                }
                #expect(status == 200)
                let accepted = try await harness.curl(
                    "/v1/patients",
                    ["-H", "content-type: application/json", "--data-binary", #"{"ssn":"078-05-1120"}"#]
                )
                #expect(accepted.status == 200)
            }
        }
    }
}
