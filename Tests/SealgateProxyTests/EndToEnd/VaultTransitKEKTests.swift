import Foundation
import SealgateTestSupport
import Testing

extension EndToEndTests {
    /// The `vault-transit` KEK through the built binary and the running proxy, against a real OpenBao server.
    @Suite("Vault Transit key-encryption key", .requires("bao"))
    struct VaultTransitKEK {
        typealias Routes = EndToEndTests.EncryptingRoutes

        /// The encrypting-routes configuration with its vault under the server's Transit key, logging in with the
        /// token in `bao-token` beside the configuration file.
        static func configuration(address: String, key: String) -> String {
            Routes.configuration.replacingOccurrences(
                of: "keys: {vault: keys, kek: {provider: local, path: kek.json}}",
                with: """
                    keys:
                      vault: keys
                      kek: {provider: vault-transit, address: "\(address)", key: \(key), auth: {token_file: bao-token}}
                    """
            )
        }

        /// Writes `keys.yaml` and `bao-token` into `directory` and creates the three keys of the encrypting routes.
        static func makeVault(_ server: OpenBaoServer, in directory: URL, address: String? = nil) async throws -> String {
            let config = directory.appendingPathComponent("keys.yaml").path
            try Self.configuration(address: address ?? server.address, key: server.key).replacingOccurrences(of: "{BACKEND}", with: "1")
                .write(toFile: config, atomically: true, encoding: .utf8)
            try (try await server.transitToken()).write(to: directory.appendingPathComponent("bao-token"), atomically: true, encoding: .utf8)
            for command in [["keys", "init"], ["keys", "create", "pii"], ["keys", "create", "pii-search", "--type", "aes256-siv"], ["keys", "create", "financial"]] {
                let output = try await runProcess(TestEnvironment.sealgateBinary, command + ["--config", config])
                try #require(output.status == 0, "\(command): \(output.stdout)\(output.stderr)")
            }
            return config
        }

        @Test("the proxy encrypts and decrypts with keys wrapped by Vault Transit, and keeps them when Vault goes away")
        func serving() async throws {
            try await OpenBaoServer.with { server in
                try await ProxyHarness.with(
                    configuration: Self.configuration(address: server.address, key: server.key),
                    prepare: { _ = try await Self.makeVault(server, in: $0) }
                ) { harness in
                    for round in ["Vault up", "Vault down"] {
                        let write = try await harness.curl(
                            "/v1/patients/records/1", ["-H", "content-type: application/json", "--data-binary", Routes.document]
                        )
                        #expect(write.status == 200, "\(round): \(write.bodyText)")
                        let stored = harness.backend.records().last?.body ?? ""
                        #expect(stored.contains("sg1:pii:") && !stored.contains("078-05-1120"), "\(round)")
                        let read = try await harness.curl("/v1/patients/records/1", as: .reader)
                        #expect(read.status == 200 && read.bodyText.contains("078-05-1120"), "\(round): \(read.bodyText)")
                        if round == "Vault up" {
                            server.stop()
                            try await harness.proxy.failedKeyReload()
                        }
                    }
                    let failed = harness.proxy.logEntries().last { $0["msg"]?.hasPrefix("keys could not be loaded") == true }
                    #expect(failed?["msg"]?.contains("keeping the previous keys") == true)
                    #expect(failed?["error"]?.contains("unreachable") == true, "\(failed ?? [:])")
                    let token = try String(contentsOf: harness.directory.appendingPathComponent("bao-token"), encoding: .utf8)
                    #expect(!harness.proxy.logEntries().contains { $0.values.contains { $0.contains(token) } }, "the log holds no token")
                }
            }
        }

        @Test("Vault unreachable at start: not ready, and 503 keys_unavailable on rule routes")
        func unreachableAtStart() async throws {
            try await OpenBaoServer.with { server in
                let closed = "http://127.0.0.1:\(try TestEnvironment.freePort())"
                try await ProxyHarness.with(
                    configuration: Self.configuration(address: closed, key: server.key),
                    waitForKeys: false,
                    prepare: { directory in
                        _ = try await Self.makeVault(server, in: directory)
                    }
                ) { harness in
                    let admin = "http://127.0.0.1:\(harness.proxy.adminPort ?? 0)"
                    let ready = try await HTTPResult.curl([admin + "/readyz"], in: harness.directory)
                    #expect(ready.status == 503 && ready.bodyText.contains("keys_unavailable"))
                    let refused = try await harness.curl("/v1/patients", ["-H", "content-type: application/json", "--data-binary", #"{"ssn":"1"}"#])
                    #expect(refused.status == 503)
                    #expect(refused.json?["code"] as? String == "keys_unavailable")
                }
            }
        }

        @Test("after a Transit key rotation, rotate-kek --rewrap moves every keyset to the new version; old versions can retire")
        func rewrapAfterTransitRotation() async throws {
            try await OpenBaoServer.with { server in
                let directory = try TestEnvironment.makeTemporaryDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let config = try await Self.makeVault(server, in: directory)
                let sealgate = TestEnvironment.sealgateBinary
                let encrypted = try await runProcess(sealgate, ["encrypt", "--config", config, "--route", "/v1/patients"], input: Data(Routes.document.utf8))
                try #require(encrypted.status == 0, "\(encrypted.stderr)")

                try await server.succeed(["write", "-f", "transit/keys/\(server.key)/rotate"])
                let rewrap = try await runProcess(sealgate, ["keys", "rotate-kek", "--config", config, "--rewrap"])
                #expect(rewrap.status == 0, "\(rewrap.stderr)")
                #expect(rewrap.stdout.contains("rewrapped 3 keysets (financial, pii, pii-search) with the current vault-transit:"))
                #expect(rewrap.stderr.contains(#""event":"kek.rewrapped""#))
                for name in ["financial", "pii", "pii-search"] {
                    #expect(try Self.wrappedKeyset(name, in: directory).hasPrefix("vault:v2:"), "\(name)")
                }
                try await server.succeed(["write", "transit/keys/\(server.key)/config", "min_decryption_version=2"])
                let verify = try await runProcess(sealgate, ["keys", "verify", "--config", config])
                #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
                let decrypted = try await runProcess(sealgate, ["decrypt", "--config", config, "--route", "/v1/patients"], input: encrypted.standardOutput)
                #expect(decrypted.status == 0 && decrypted.stdout.contains("078-05-1120"), "\(decrypted.stderr)")
            }
        }

        @Test("rotate-kek moves a vault from a local KEK to Vault Transit and back; keys rotate works under Transit; data still decrypts")
        func rotateKEKBetweenLocalAndTransit() async throws {
            try await OpenBaoServer.with { server in
                let directory = try TestEnvironment.makeTemporaryDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let transitConfig = try await Self.makeVault(server, in: directory)
                let localConfig = directory.appendingPathComponent("local.yaml").path
                try Routes.configuration.replacingOccurrences(of: "{BACKEND}", with: "1").write(toFile: localConfig, atomically: true, encoding: .utf8)
                let sealgate = TestEnvironment.sealgateBinary
                let encrypted = try await runProcess(sealgate, ["encrypt", "--config", transitConfig, "--route", "/v1/patients"], input: Data(Routes.document.utf8))
                try #require(encrypted.status == 0, "\(encrypted.stderr)")

                let toLocal = try await runProcess(sealgate, ["keys", "rotate-kek", "--config", transitConfig, "--to", localConfig])
                #expect(toLocal.status == 0 && toLocal.stdout.contains("rewrapped 3 keysets"), "\(toLocal.stdout)\(toLocal.stderr)")
                #expect(try !Self.wrappedKeyset("pii", in: directory).hasPrefix("vault:"))
                let transitNoLonger = try await runProcess(sealgate, ["keys", "list", "--config", transitConfig])
                #expect(transitNoLonger.status != 0, "the Transit key no longer opens the vault")

                let back = try await runProcess(sealgate, ["keys", "rotate-kek", "--config", localConfig, "--to", transitConfig])
                #expect(back.status == 0, "\(back.stdout)\(back.stderr)")
                #expect(try Self.wrappedKeyset("pii", in: directory).hasPrefix("vault:v1:"))
                let rotated = try await runProcess(sealgate, ["keys", "rotate", "pii", "--config", transitConfig])
                #expect(rotated.status == 0, "\(rotated.stderr)")
                let decrypted = try await runProcess(sealgate, ["decrypt", "--config", transitConfig, "--route", "/v1/patients"], input: encrypted.standardOutput)
                #expect(decrypted.status == 0 && decrypted.stdout.contains("078-05-1120"), "\(decrypted.stderr)")
                let verify = try await runProcess(sealgate, ["keys", "verify", "--config", transitConfig])
                #expect(verify.status == 0 && verify.stdout.contains("verified 3 keys"), "\(verify.stdout)")
            }
        }

        /// Opens a keyset as a Tink user would with `hcvault.NewAEAD` and `ReadWithAssociatedData`: Transit decrypt
        /// with the key name as associated data (here by bao's CLI), then Python tink parses the keyset and opens a
        /// sealgate token with it.
        static let tinkOpensToken = """
            import base64, sys, tink
            from tink import aead, cleartext_keyset_handle
            aead.register()
            handle = cleartext_keyset_handle.read(tink.BinaryKeysetReader(base64.b64decode(sys.argv[1])))
            payload = sys.argv[2].split(":", 2)[2]
            ciphertext = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
            print(handle.primitive(aead.Aead).decrypt(ciphertext, b"sg1|pii|$.ssn").decode())
            """

        @Test("a Tink user reads the vault: Transit decrypt with the key name as associated data, then Tink opens tokens",
              .enabled(if: TestEnvironment.isCI || TestEnvironment.pythonImports("tink"), "needs Python tink"))
        func tinkReadsTheVault() async throws {
            try await OpenBaoServer.with { server in
                let directory = try TestEnvironment.makeTemporaryDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let config = try await Self.makeVault(server, in: directory)
                let encrypted = try await runProcess(
                    TestEnvironment.sealgateBinary, ["encrypt", "--config", config, "--route", "/v1/patients"], input: Data(Routes.document.utf8)
                )
                let document = try #require(JSONSerialization.jsonObject(with: encrypted.standardOutput) as? [String: Any])
                let token = try #require(document["ssn"] as? String)
                let keyset = try await server.succeed([
                    "write", "-field=plaintext", "transit/decrypt/\(server.key)", "ciphertext=\(try Self.wrappedKeyset("pii", in: directory))",
                    "associated_data=\(Data("pii".utf8).base64EncodedString())",
                ])
                let opened = try await runProcess("/usr/bin/env", ["python3", "-c", Self.tinkOpensToken, keyset, token])
                #expect(opened.status == 0, "\(opened.stderr)")
                #expect(opened.stdout == "\"078-05-1120\"\n")
            }
        }

        /// The `encryptedKeyset` of `<vault>/<name>.json` as text: what Vault Transit returned.
        static func wrappedKeyset(_ name: String, in directory: URL) throws -> String {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("keys/\(name).json"))) as? [String: Any]
            let bytes = try #require((json?["encryptedKeyset"] as? String).flatMap { Data(base64Encoded: $0) })
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
