import Foundation
import SealgateCrypto
import Testing
import SealgateTestSupport

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

extension EndToEndTests.KeyReload {
    /// Lays out `keys/` as the kubelet mounts a Secret: each file a symlink through `..data` to a
    /// timestamped directory. ``publish(_:in:)`` swaps `..data` atomically, as the kubelet does on update.
    enum MountedSecret {
        static func publish(_ files: [String: Data], in vault: URL) throws {
            let version = vault.appendingPathComponent("..\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: version, withIntermediateDirectories: true)
            for (name, data) in files {
                try data.write(to: version.appendingPathComponent(name))
                let link = vault.appendingPathComponent(name)
                if (try? FileManager.default.destinationOfSymbolicLink(atPath: link.path)) == nil {
                    try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "..data/\(name)")
                }
            }
            let temporary = vault.appendingPathComponent("..data_tmp")
            try? FileManager.default.removeItem(at: temporary)
            try FileManager.default.createSymbolicLink(atPath: temporary.path, withDestinationPath: version.lastPathComponent)
            try #require(rename(temporary.path, vault.appendingPathComponent("..data").path) == 0)
        }

        /// The vault's keysets as files, read through whatever layout it has.
        static func files(of vault: URL) throws -> [String: Data] {
            let names = try FileManager.default.contentsOfDirectory(atPath: vault.path).filter { $0.hasSuffix(".json") }
            return try Dictionary(uniqueKeysWithValues: names.map { ($0, try Data(contentsOf: vault.appendingPathComponent($0))) })
        }
    }

    @Test("a vault mounted like a Kubernetes Secret: a rotation published once reaches the running proxy through the symlink swap")
    func mountedSecretRotation() async throws {
        let staging = try TestEnvironment.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: staging) }
        try await Routes.withEncryptingProxy { harness, _ in
            // Re-lay the vault as a mounted Secret, then rotate in a staging copy and publish it.
            let vault = harness.directory.appendingPathComponent("keys")
            let files = try MountedSecret.files(of: vault)
            for name in files.keys { try FileManager.default.removeItem(at: vault.appendingPathComponent(name)) }
            try MountedSecret.publish(files, in: vault)
            let write = { try await harness.curl("/v1/patients/records/1", ["-H", "content-type: application/json", "--data-binary", #"{"ssn":"078-05-1120"}"#]) }
            #expect(try await write().status == 200)
            let before = try Self.keyID(ofTokenAt: "ssn", in: harness.backend.records().last?.body)

            let stagedVault = staging.appendingPathComponent("keys")
            try FileManager.default.createDirectory(at: stagedVault, withIntermediateDirectories: true)
            for (name, data) in files { try data.write(to: stagedVault.appendingPathComponent(name)) }
            try FileManager.default.copyItem(at: harness.directory.appendingPathComponent("kek.json"), to: staging.appendingPathComponent("kek.json"))
            let rotated = try await Self.vault(in: staging).rotate("pii")
            try MountedSecret.publish(try MountedSecret.files(of: stagedVault), in: vault)

            var keyID = before
            for _ in 0..<40 where keyID != rotated.primaryKeyID {
                try await Task.sleep(for: .milliseconds(250))
                #expect(try await write().status == 200)
                keyID = try Self.keyID(ofTokenAt: "ssn", in: harness.backend.records().last?.body)
            }
            #expect(keyID == rotated.primaryKeyID, "the proxy did not pick up the published rotation within 10 s")
            #expect(harness.proxy.logEntries().last { $0["msg"] == "keys loaded" }?["reason"] == "vault changed")
        }
    }
}
