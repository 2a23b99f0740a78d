import Foundation
import Testing
import SealgateTestSupport

extension EndToEndTests {
    @Suite("Vaults under an HSM key", .enabled(if: SoftHSMToken.available, "needs SoftHSM2 (apt-get install softhsm2)"))
    struct HSMVault {
        typealias Routes = EndToEndTests.EncryptingRoutes
        typealias KMS = EndToEndTests.KMSVault

        /// Runs the encrypting-routes proxy with its vault under the key `keyLabel` of a new SoftHSM2 token.
        /// - Parameter afterKeys: runs once the keys are made, before sealgate starts, with the token and the
        ///   configuration file the `keys` commands use.
        static func withHSMProxy(
            keyLabel: String,
            waitForKeys: Bool = true,
            afterKeys: (SoftHSMToken, String) async throws -> Void = { _, _ in },
            _ body: (ProxyHarness) async throws -> Void
        ) async throws {
            let tokenDirectory = try TestEnvironment.makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: tokenDirectory) }
            let hsm = try await SoftHSMToken(in: tokenDirectory)
            let configuration = Routes.configuration.replacingOccurrences(
                of: "keys: {vault: keys, kek: {provider: local, path: kek.json}}", with: hsm.keysSection(keyLabel: keyLabel)
            )
            try await ProxyHarness.with(
                configuration: configuration,
                waitForKeys: waitForKeys,
                environment: ["SOFTHSM2_CONF": hsm.configurationPath],
                prepare: { directory in
                    let config = directory.appendingPathComponent("hsm.yaml").path
                    try configuration.replacingOccurrences(of: "{BACKEND}", with: "1").write(toFile: config, atomically: true, encoding: .utf8)
                    try await KMS.makeKeys(config: config, environment: [hsm.environment])
                    try await afterKeys(hsm, config)
                },
                body
            )
        }

        @Test("the proxy encrypts and decrypts with keys wrapped inside a PKCS#11 token")
        func servingWithHSM() async throws {
            try await Self.withHSMProxy(keyLabel: "proxy-kek") { harness in
                let write = try await harness.curl(
                    "/v1/patients/records/1", ["-H", "content-type: application/json", "--data-binary", Routes.document]
                )
                #expect(write.status == 200, "\(write.bodyText)")
                let stored = harness.backend.records().last?.body ?? ""
                #expect(stored.contains("sg1:pii:") && !stored.contains("078-05-1120"))
                let read = try await harness.curl("/v1/patients/records/1", as: .reader)
                #expect(read.status == 200 && read.bodyText.contains("078-05-1120"), "\(read.bodyText)")
                let metrics = try await HTTPResult.curl(["http://127.0.0.1:\(harness.proxy.adminPort ?? 0)/metrics"], in: harness.directory)
                #expect(metrics.bodyText.contains(#"sealgate_kek_operations_total{provider="pkcs11",operation="decrypt",result="success"} 3"#))
            }
        }

        @Test("a wrong PIN: keys init and the proxy say so; the proxy stays unready and serves no rule route")
        func wrongPIN() async throws {
            try await Self.withHSMProxy(
                keyLabel: "pin-kek",
                waitForKeys: false,
                afterKeys: { hsm, config in
                    try "0000\n".write(toFile: hsm.pinPath, atomically: false, encoding: .utf8)
                    let refused = try await KMS.sealgate(["keys", "list", "--config", config], environment: [hsm.environment])
                    #expect(refused.status == 1)
                    #expect(refused.stderr.contains("CKR_PIN_INCORRECT"), "\(refused.stderr)")
                }
            ) { harness in
                try await Task.sleep(for: .milliseconds(500))
                let ready = try await HTTPResult.curl(["http://127.0.0.1:\(harness.proxy.adminPort ?? 0)/readyz"], in: harness.directory)
                #expect(ready.status == 503 && ready.bodyText.contains("keys_unavailable"))
                let failure = harness.proxy.logEntries().first { $0["msg"]?.hasPrefix("keys could not be loaded") == true }
                #expect(failure?["error"]?.contains("CKR_PIN_INCORRECT") == true, "\(failure ?? [:])")
                let refused = try await harness.curl("/v1/patients", ["-H", "content-type: application/json", "--data-binary", Routes.document])
                #expect(refused.status == 503)
                #expect(harness.backend.records().isEmpty)
            }
        }
    }
}
