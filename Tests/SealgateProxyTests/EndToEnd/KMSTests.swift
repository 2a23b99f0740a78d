import Foundation
import SealgateCrypto
import SealgateKeyProviders
import Testing
import SealgateTestSupport

extension EndToEndTests {
    @Suite("AWS KMS key-encryption key", .enabled(if: KMSServer.available, "needs Python moto[server]"))
    struct KMSProvider {
        let credentials = AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")

        @Test("wraps and unwraps a keyset through KMS, by ARN and by alias; a vault written under it reads back")
        func roundTrip() async throws {
            try await KMSServer.with { server in
                let kek = try AWSKMSKeyEncryptionKey(keyID: server.info.arn, endpoint: server.endpoint, credentials: self.credentials)
                #expect(kek.region == "eu-west-1")
                let plaintext = Array("a serialized keyset".utf8)
                let wrapped = try await kek.encrypt(plaintext, associatedData: [])
                #expect(wrapped != plaintext && !wrapped.isEmpty)
                #expect(try await kek.decrypt(wrapped, associatedData: []) == plaintext)
                let withContext = try await kek.encrypt(plaintext, associatedData: [1, 2, 3])
                #expect(try await kek.decrypt(withContext, associatedData: [1, 2, 3]) == plaintext)
                await #expect(throws: SealgateCryptoError.self) { try await kek.decrypt(withContext, associatedData: [9]) }

                let byAlias = try AWSKMSKeyEncryptionKey(keyID: server.info.alias, region: "eu-west-1", endpoint: server.endpoint, credentials: self.credentials)
                #expect(try await byAlias.decrypt(try await byAlias.encrypt(plaintext, associatedData: []), associatedData: []) == plaintext)

                let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sealgate-kms-vault-\(UUID().uuidString)").path
                defer { try? FileManager.default.removeItem(atPath: directory) }
                try KeyVault.createDirectory(at: directory)
                let created = try await KeyVault(directory: directory, provider: kek).create("pii", type: .aes256GCM)
                let loaded = try await KeyVault(directory: directory, provider: kek).load("pii")
                #expect(loaded == created)
            }
        }

        @Test("a keyset wrapped by another key is refused; an unknown key and a dead endpoint give clear errors")
        func failures() async throws {
            try await KMSServer.with { server in
                let kek = try AWSKMSKeyEncryptionKey(keyID: server.info.arn, endpoint: server.endpoint, credentials: self.credentials)
                let other = try AWSKMSKeyEncryptionKey(keyID: server.info.other_arn, endpoint: server.endpoint, credentials: self.credentials)
                let wrapped = try await other.encrypt(Array("keyset".utf8), associatedData: [])
                await #expect(throws: SealgateCryptoError.self) { try await kek.decrypt(wrapped, associatedData: []) }

                let missing = try AWSKMSKeyEncryptionKey(
                    keyID: "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000", endpoint: server.endpoint,
                    credentials: self.credentials
                )
                let notFound = await #expect(throws: SealgateCryptoError.self) { try await missing.encrypt([1], associatedData: []) }
                #expect(notFound?.code == .kekUnavailable)
                #expect(notFound?.message.contains("NotFoundException") == true)
            }
            let dead = try AWSKMSKeyEncryptionKey(keyID: "alias/x", region: "eu-west-1", endpoint: "http://127.0.0.1:1", credentials: self.credentials)
            let unreachable = await #expect(throws: SealgateCryptoError.self) { try await dead.encrypt([1], associatedData: []) }
            #expect(unreachable?.message.contains("unreachable") == true)
            #expect(throws: SealgateCryptoError.self) { try AWSKMSKeyEncryptionKey(keyID: "alias/x", credentials: self.credentials) }
        }
    }

    @Suite("Vaults under a KMS key", .enabled(if: KMSServer.available, "needs Python moto[server]"))
    struct KMSVault {
        typealias Routes = EndToEndTests.EncryptingRoutes

        /// The encrypting-routes configuration with its vault under `key` of `kms`.
        static func configuration(_ kms: KMSServer, key: String) -> String {
            Routes.configuration.replacingOccurrences(
                of: "keys: {vault: keys, kek: {provider: local, path: kek.json}}",
                with: "keys: {vault: keys, kek: {provider: aws-kms, key_id: \"\(key)\", endpoint: \"\(kms.endpoint)\"}}"
            )
        }

        /// Runs `sealgate ARGUMENTS` with the test's AWS credentials and `environment` (`NAME=value` items).
        static func sealgate(_ arguments: [String], environment: [String] = [], input: Data? = nil) async throws -> ProcessOutput {
            try await runProcess(
                "/usr/bin/env",
                ["AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_PROFILE=none"] + environment + [TestEnvironment.sealgateBinary] + arguments,
                input: input
            )
        }

        /// Initializes the vault of `config` and creates the three keys of the encrypting routes.
        static func makeKeys(config: String, environment: [String] = []) async throws {
            for command in [["keys", "init"], ["keys", "create", "pii"], ["keys", "create", "pii-search", "--type", "aes256-siv"], ["keys", "create", "financial"]] {
                let output = try await Self.sealgate(command + ["--config", config], environment: environment)
                try #require(output.status == 0, "\(command): \(output.stdout)\(output.stderr)")
            }
        }

        @Test("the proxy encrypts and decrypts with keys wrapped by KMS, and keeps serving when KMS goes away")
        func servingWithKMS() async throws {
            try await KMSServer.with { kms in
                let configuration = Self.configuration(kms, key: kms.info.arn)
                // The proxy's own credentials, not the test process's: setenv would race with the other suites' children.
                let credentials = ["AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_PROFILE": "none"]
                try await ProxyHarness.with(configuration: configuration, environment: credentials, prepare: { directory in
                    let config = directory.appendingPathComponent("kms.yaml").path
                    try configuration.replacingOccurrences(of: "{BACKEND}", with: "1").write(toFile: config, atomically: true, encoding: .utf8)
                    try await Self.makeKeys(config: config)
                }) { harness in
                    let vaultFile = try String(contentsOf: harness.directory.appendingPathComponent("keys/pii.json"), encoding: .utf8)
                    #expect(vaultFile.contains("encryptedKeyset"))
                    for round in ["KMS up", "KMS down"] {
                        let write = try await harness.curl(
                            "/v1/patients/records/\(round.hasSuffix("up") ? 1 : 2)",
                            ["-H", "content-type: application/json", "--data-binary", Routes.document]
                        )
                        #expect(write.status == 200, "\(round): \(write.bodyText)")
                        let stored = harness.backend.records().last?.body ?? ""
                        #expect(!stored.contains("078-05-1120"), "\(round)")
                        let read = try await harness.curl("/v1/patients/records/1", as: .reader)
                        #expect(read.status == 200 && read.bodyText.contains("078-05-1120"), "\(round): \(read.bodyText)")
                        if round == "KMS up" {
                            kms.stop()
                            try await harness.proxy.failedKeyReload()
                        }
                    }
                    let failed = harness.proxy.logEntries().last { $0["msg"]?.hasPrefix("keys could not be loaded") == true }
                    #expect(failed?["msg"]?.contains("keeping the previous keys") == true)
                    #expect(failed?["error"]?.contains("unreachable") == true, "\(failed ?? [:])")
                    let admin = "http://127.0.0.1:\(harness.proxy.adminPort ?? 0)"
                    let ready = try await HTTPResult.curl([admin + "/readyz"], in: harness.directory)
                    #expect(ready.status == 200)
                    #expect(ready.bodyText.hasPrefix("ready\nwarning: the last key reload (SIGHUP) failed, so the keys loaded before stay in use"), "\(ready.bodyText)")
                    let metrics = try await HTTPResult.curl([admin + "/metrics"], in: harness.directory).bodyText
                    #expect(metrics.contains(#"sealgate_kek_operations_total{provider="aws-kms",operation="decrypt",result="success"} 3"#), "\(metrics)")
                    #expect(metrics.contains(#"sealgate_kek_operations_total{provider="aws-kms",operation="decrypt",result="failure"} 1"#))
                    #expect(metrics.contains("sealgate_kek_operation_duration_seconds"))
                }
            }
        }

        @Test(
            "rotate-kek moves a vault from KMS to a local KEK, to an HSM key and to another KMS key; data written before still decrypts",
            .enabled(if: SoftHSMToken.available, "needs SoftHSM2")
        )
        func rotateBetweenProviders() async throws {
            try await KMSServer.with { kms in
                let directory = try TestEnvironment.makeTemporaryDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let hsm = try await SoftHSMToken(in: directory)
                let kmsConfig = directory.appendingPathComponent("kms.yaml").path
                let localConfig = directory.appendingPathComponent("local.yaml").path
                let hsmConfig = directory.appendingPathComponent("hsm.yaml").path
                let otherKMSConfig = directory.appendingPathComponent("kms-other.yaml").path
                try Self.configuration(kms, key: kms.info.arn).write(toFile: kmsConfig, atomically: true, encoding: .utf8)
                try Routes.configuration.write(toFile: localConfig, atomically: true, encoding: .utf8)
                try Routes.configuration.replacingOccurrences(
                    of: "keys: {vault: keys, kek: {provider: local, path: kek.json}}", with: hsm.keysSection(keyLabel: "vault-kek")
                ).write(toFile: hsmConfig, atomically: true, encoding: .utf8)
                try Self.configuration(kms, key: kms.info.other_arn).write(toFile: otherKMSConfig, atomically: true, encoding: .utf8)
                try await Self.makeKeys(config: kmsConfig)

                let encrypted = try await Self.sealgate(["encrypt", "--config", kmsConfig, "--route", "/v1/patients"], input: Data(Routes.document.utf8))
                try #require(encrypted.status == 0, "\(encrypted.stderr)")
                #expect(!encrypted.stdout.contains("078-05-1120"))

                // The HSM key is made by keys init against the HSM configuration (the vault exists already).
                let hsmInit = try await Self.sealgate(["keys", "init", "--config", hsmConfig], environment: [hsm.environment])
                #expect(hsmInit.status == 0, "\(hsmInit.stdout)\(hsmInit.stderr)")
                #expect(hsmInit.stdout.contains("created pkcs11 KEK \"vault-kek\""))
                for (from, to) in [(kmsConfig, localConfig), (localConfig, hsmConfig), (hsmConfig, otherKMSConfig)] {
                    let rotation = try await Self.sealgate(["keys", "rotate-kek", "--config", from, "--to", to], environment: [hsm.environment])
                    #expect(rotation.status == 0, "\(rotation.stdout)\(rotation.stderr)")
                    #expect(rotation.stdout.contains("rewrapped 3 keysets"))
                    let oldKEK = try await Self.sealgate(["keys", "list", "--config", from], environment: [hsm.environment])
                    #expect(oldKEK.status != 0, "the old KEK no longer opens the vault")
                }
                let decrypted = try await Self.sealgate(
                    ["decrypt", "--config", otherKMSConfig, "--route", "/v1/patients"], input: Data(encrypted.standardOutput)
                )
                #expect(decrypted.status == 0, "\(decrypted.stderr)")
                #expect(decrypted.stdout.contains("078-05-1120"))
            }
        }

        @Test("an unknown key ARN or missing credentials: keys init says so and changes nothing")
        func clearErrors() async throws {
            try await KMSServer.with { kms in
                let directory = try TestEnvironment.makeTemporaryDirectory()
                defer { try? FileManager.default.removeItem(at: directory) }
                let config = directory.appendingPathComponent("kms.yaml").path
                try Self.configuration(kms, key: "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000")
                    .write(toFile: config, atomically: true, encoding: .utf8)
                let unknown = try await Self.sealgate(["keys", "init", "--config", config])
                #expect(unknown.status == 1)
                #expect(unknown.stderr.contains("NotFoundException"), "\(unknown.stderr)")
                let noCredentials = try await runProcess(
                    "/usr/bin/env", ["-u", "AWS_ACCESS_KEY_ID", "-u", "AWS_SECRET_ACCESS_KEY", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", TestEnvironment.sealgateBinary, "keys", "list", "--config", config]
                )
                #expect(noCredentials.status == 1)
                #expect(noCredentials.stderr.contains("no AWS credentials"), "\(noCredentials.stderr)")
            }
        }
    }
}
