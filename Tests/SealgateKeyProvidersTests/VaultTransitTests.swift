import Foundation
import SealgateCrypto
import SealgateTestSupport
import Testing

@testable import SealgateKeyProviders

/// The vault-transit KEK against a real OpenBao server (`bao server -dev` on loopback): wrapping as Tink's
/// `hcvault.NewAEAD` does, token files, AppRole, and the errors a user sees.
@Suite("Vault Transit KEK", .requires("bao"))
struct VaultTransitTests {
    /// A scratch directory for credential files, removed afterwards.
    static func withDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
        let directory = try TestEnvironment.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }

    static func tokenFile(_ token: String, in directory: URL) throws -> String {
        let file = directory.appendingPathComponent("token").path
        try (token + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test("wraps as Transit encrypt with associated_data, as Tink's hcvault AEAD does; bao decrypts it")
    func wrapsAsTinkHcVault() async throws {
        try await OpenBaoServer.with { server in
            try await Self.withDirectory { directory in
                let kek = try VaultTransitKeyEncryptionKey(VaultTransitConfiguration(
                    address: server.address, key: server.key,
                    authentication: .tokenFile(try Self.tokenFile(try await server.transitToken(), in: directory))
                ))
                let plaintext = Array("a serialized keyset".utf8)
                let wrapped = try await kek.encrypt(plaintext, associatedData: Array("pii".utf8))
                let text = String(decoding: wrapped, as: UTF8.self)
                #expect(text.hasPrefix("vault:v1:"))
                #expect(try await kek.decrypt(wrapped, associatedData: Array("pii".utf8)) == plaintext)
                // The independent peer: bao's own CLI opens it with the same associated data.
                let opened = try await server.succeed([
                    "write", "-field=plaintext", "transit/decrypt/\(server.key)", "ciphertext=\(text)",
                    "associated_data=\(Data("pii".utf8).base64EncodedString())",
                ])
                #expect(Data(base64Encoded: opened) == Data(plaintext))
                // Other associated data (a keyset file renamed to another key name) does not open.
                await #expect(throws: SealgateCryptoError(.authenticationFailure, "")) {
                    try await kek.decrypt(wrapped, associatedData: Array("cards".utf8))
                }
                #expect(kek.keysetAssociatedData(name: "pii") == Array("pii".utf8))
            }
        }
    }

    @Test("a vault under the Transit KEK binds each keyset to its name")
    func vaultBindsNames() async throws {
        try await OpenBaoServer.with { server in
            try await Self.withDirectory { directory in
                let kek = try VaultTransitKeyEncryptionKey(VaultTransitConfiguration(
                    address: server.address, key: server.key,
                    authentication: .tokenFile(try Self.tokenFile(try await server.transitToken(), in: directory))
                ))
                let vault = KeyVault(directory: directory.path, provider: kek)
                let keyset = try await vault.create("pii", type: .aes256GCM)
                #expect(try await vault.load("pii") == keyset)
                let json = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("pii.json"))) as? [String: Any]
                let encrypted = try #require((json?["encryptedKeyset"] as? String).flatMap { Data(base64Encoded: $0) })
                #expect(String(decoding: encrypted, as: UTF8.self).hasPrefix("vault:v1:"))
                try FileManager.default.copyItem(at: directory.appendingPathComponent("pii.json"), to: directory.appendingPathComponent("cards.json"))
                await #expect(throws: SealgateCryptoError(.authenticationFailure, "")) { try await vault.load("cards") }
            }
        }
    }

    @Test("the token file is read again at each use, as Vault Agent rewrites it")
    func tokenFileIsReread() async throws {
        try await OpenBaoServer.with { server in
            try await Self.withDirectory { directory in
                let first = try await server.transitToken()
                let file = try Self.tokenFile(first, in: directory)
                let kek = try VaultTransitKeyEncryptionKey(VaultTransitConfiguration(address: server.address, key: server.key, authentication: .tokenFile(file)))
                let wrapped = try await kek.encrypt([1, 2, 3], associatedData: [])
                _ = try Self.tokenFile(try await server.transitToken(), in: directory)
                try await server.succeed(["token", "revoke", first])
                #expect(try await kek.decrypt(wrapped, associatedData: []) == [1, 2, 3])
            }
        }
    }

    @Test("a refused token and an unreachable server are kekUnavailable, and no message holds the token")
    func failuresAreClear() async throws {
        try await OpenBaoServer.with { server in
            try await Self.withDirectory { directory in
                let secret = "s.not-a-real-token-\(UUID().uuidString)"
                let refused = try VaultTransitKeyEncryptionKey(VaultTransitConfiguration(
                    address: server.address, key: server.key, authentication: .tokenFile(try Self.tokenFile(secret, in: directory))
                ))
                let error = try await #require(throws: SealgateCryptoError.self) { try await refused.encrypt([1], associatedData: []) }
                #expect(error.code == .kekUnavailable)
                #expect(error.message.contains("transit/\(server.key) at \(server.address): encrypt refused: permission denied"), "\(error.message)")
                #expect(!error.message.contains(secret))

                let closed = try VaultTransitKeyEncryptionKey(VaultTransitConfiguration(
                    address: "http://127.0.0.1:\(try TestEnvironment.freePort())", key: server.key,
                    authentication: .tokenFile(try Self.tokenFile(secret, in: directory))
                ))
                let unreachable = try await #require(throws: SealgateCryptoError.self) { try await closed.encrypt([1], associatedData: []) }
                #expect(unreachable.code == .kekUnavailable && unreachable.message.contains("unreachable"))
                #expect(!unreachable.message.contains(secret))

                let missing = try VaultTransitKeyEncryptionKey(VaultTransitConfiguration(
                    address: server.address, key: server.key, authentication: .tokenFile(directory.appendingPathComponent("absent").path)
                ))
                let noFile = try await #require(throws: SealgateCryptoError.self) { try await missing.encrypt([1], associatedData: []) }
                #expect(noFile.message.contains("keys.kek.auth.token_file"))
            }
        }
    }

    @Test("AppRole logs in, and logs in again once its token has expired")
    func appRoleLogsInAgain() async throws {
        try await OpenBaoServer.with { server in
            try await Self.withDirectory { directory in
                let (roleID, secretID) = try await server.appRole(tokenTTL: "2s")
                let roleFile = directory.appendingPathComponent("role-id").path
                let secretFile = directory.appendingPathComponent("secret-id").path
                try roleID.write(toFile: roleFile, atomically: true, encoding: .utf8)
                try secretID.write(toFile: secretFile, atomically: true, encoding: .utf8)
                let kek = try VaultTransitKeyEncryptionKey(VaultTransitConfiguration(
                    address: server.address, key: server.key,
                    authentication: .appRole(roleIDFile: roleFile, secretIDFile: secretFile, mount: "approle")
                ))
                let wrapped = try await kek.encrypt([7, 7], associatedData: Array("pii".utf8))
                // Two thirds into the token's lease it is renewed; once past its end, a new login replaces it.
                for pause in [1500, 2600, 1500] {
                    try await Task.sleep(for: .milliseconds(pause))
                    #expect(try await kek.decrypt(wrapped, associatedData: Array("pii".utf8)) == [7, 7])
                }
            }
        }
    }

    @Test("a wrong role id is a clear login refusal")
    func appRoleRefused() async throws {
        try await OpenBaoServer.with { server in
            try await Self.withDirectory { directory in
                _ = try await server.appRole()
                let roleFile = directory.appendingPathComponent("role-id").path
                try "not-a-role".write(toFile: roleFile, atomically: true, encoding: .utf8)
                let kek = try VaultTransitKeyEncryptionKey(VaultTransitConfiguration(
                    address: server.address, key: server.key,
                    authentication: .appRole(roleIDFile: roleFile, secretIDFile: roleFile, mount: "approle")
                ))
                let error = try await #require(throws: SealgateCryptoError.self) { try await kek.encrypt([1], associatedData: []) }
                #expect(error.code == .kekUnavailable)
                #expect(error.message.contains("refused the login at auth/approle/login"), "\(error.message)")
            }
        }
    }

    /// A service account token as Kubernetes projects it (claims only; the stand-in API judges it by its ending).
    static func serviceAccountJWT(namespace: String, valid: Bool) -> String {
        func part(_ json: String) -> String {
            Data(json.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let claims = """
            {"iss":"kubernetes/serviceaccount","sub":"system:serviceaccount:\(namespace):sealgate",\
            "kubernetes.io/serviceaccount/namespace":"\(namespace)","kubernetes.io/serviceaccount/service-account.name":"sealgate",\
            "kubernetes.io/serviceaccount/service-account.uid":"sa-uid-1"}
            """
        return part(#"{"alg":"RS256"}"#) + "." + part(claims) + (valid ? ".dmFsaWQ" : ".Zm9yZ2Vk")
    }

    @Test("Kubernetes auth logs in with the service account token, reviewed by the Kubernetes API; other accounts are refused")
    func kubernetesAuth() async throws {
        try await OpenBaoServer.with { server in
            try await Self.withDirectory { directory in
                // The Kubernetes API: a TokenReview stand-in on loopback (OpenBao wants a CA even for http).
                let port = try TestEnvironment.freePort()
                let reviewer = Process()
                reviewer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                reviewer.arguments = [
                    "python3", URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/token_review.py").path, String(port),
                ]
                try reviewer.run()
                defer { kill(reviewer.processIdentifier, SIGKILL) }
                let ca = directory.appendingPathComponent("kubernetes-ca.pem").path
                let key = directory.appendingPathComponent("kubernetes-ca.key").path
                _ = try await runProcess("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", ca, "-subj", "/CN=kubernetes", "-days", "1"])
                _ = try await server.transitToken()
                try await server.succeed(["auth", "enable", "kubernetes"])
                try await server.succeed([
                    "write", "auth/kubernetes/config", "kubernetes_host=http://127.0.0.1:\(port)", "disable_local_ca_jwt=true",
                    "token_reviewer_jwt=reviewer", "kubernetes_ca_cert=@\(ca)",
                ])
                try await server.succeed([
                    "write", "auth/kubernetes/role/sidecar", "bound_service_account_names=sealgate", "bound_service_account_namespaces=payments",
                    "token_policies=sealgate", "token_ttl=1h",
                ])
                for _ in 0..<50 where (try? await runProcess("curl", ["-s", "-o", "/dev/null", "http://127.0.0.1:\(port)/"]))?.status != 0 {
                    try await Task.sleep(for: .milliseconds(100))
                }
                // Each case its own token file, so that no login cached for another configuration is reused.
                func kek(_ jwt: String, _ name: String) throws -> VaultTransitKeyEncryptionKey {
                    let file = directory.appendingPathComponent(name).path
                    try jwt.write(toFile: file, atomically: true, encoding: .utf8)
                    return try VaultTransitKeyEncryptionKey(VaultTransitConfiguration(
                        address: server.address, key: server.key, authentication: .kubernetes(role: "sidecar", tokenFile: file, mount: "kubernetes")
                    ))
                }
                let sidecar = try kek(Self.serviceAccountJWT(namespace: "payments", valid: true), "sa-token")
                #expect(try await sidecar.decrypt(try await sidecar.encrypt([4, 2], associatedData: [1]), associatedData: [1]) == [4, 2])
                for (index, (namespace, valid)) in [("payments", false), ("other", true)].enumerated() {
                    let refused = try kek(Self.serviceAccountJWT(namespace: namespace, valid: valid), "sa-token-\(index)")
                    let error = try await #require(throws: SealgateCryptoError.self) { try await refused.encrypt([1], associatedData: []) }
                    #expect(error.code == .kekUnavailable)
                    #expect(error.message.contains("refused the login at auth/kubernetes/login"), "\(error.message)")
                }
            }
        }
    }
}
