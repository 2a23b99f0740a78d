import Foundation
import SealgateCrypto
import Testing

@testable import SealgateKeyProviders

/// One SoftHSM2 token for the whole test process: the module reads `SOFTHSM2_CONF` once, when it is loaded.
enum SoftHSM {
    static let module = "/usr/lib/softhsm/libsofthsm2.so"
    static let token = "sealgate-test"
    static let pin = "1234"

    /// Whether the tests run: when SoftHSM2 is installed, and always under `CI=true`, where its absence fails them.
    static let available = ProcessInfo.processInfo.environment["CI"] == "true" || FileManager.default.fileExists(atPath: module)

    /// Creates the token directory and configuration, points `SOFTHSM2_CONF` at them and initializes the token.
    static let ready: Result<Void, any Error> = Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sealgate-softhsm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("tokens"), withIntermediateDirectories: true)
        let configuration = directory.appendingPathComponent("softhsm2.conf")
        try "directories.tokendir = \(directory.appendingPathComponent("tokens").path)\nobjectstore.backend = file\nlog.level = ERROR\n"
            .write(to: configuration, atomically: true, encoding: .utf8)
        setenv("SOFTHSM2_CONF", configuration.path, 1)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["softhsm2-util", "--init-token", "--free", "--label", token, "--pin", pin, "--so-pin", "5678"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw SealgateCryptoError(.kekUnavailable, "softhsm2-util --init-token failed") }
    }

    static func key(_ label: String) throws -> PKCS11KeyEncryptionKey {
        try ready.get()
        return try PKCS11KeyEncryptionKey(module: module, token: token, keyLabel: label, pin: pin)
    }
}

@Suite("PKCS#11 key-encryption key", .enabled(if: SoftHSM.available, "needs SoftHSM2 (apt-get install softhsm2)"))
struct PKCS11KeyEncryptionKeyTests {
    @Test("keys init makes the AES key once; keysets wrap and unwrap inside the token, with and without associated data")
    func roundTrip() async throws {
        let kek = try SoftHSM.key("round-trip")
        #expect(try kek.createKeyIfMissing())
        #expect(try !kek.createKeyIfMissing())
        let keyset = Array("a serialized keyset".utf8)
        let wrapped = try await kek.encrypt(keyset, associatedData: [])
        #expect(wrapped.count == keyset.count + 12 + 16)
        #expect(try await kek.decrypt(wrapped, associatedData: []) == keyset)
        #expect(try await kek.encrypt(keyset, associatedData: []) != wrapped, "a fresh IV each time")
        let bound = try await kek.encrypt(keyset, associatedData: [7, 7])
        #expect(try await kek.decrypt(bound, associatedData: [7, 7]) == keyset)
        let wrongContext = await #expect(throws: SealgateCryptoError.self) { try await kek.decrypt(bound, associatedData: [7]) }
        #expect(wrongContext?.code == .authenticationFailure)
        var altered = wrapped
        altered[20] ^= 1
        await #expect(throws: SealgateCryptoError.self) { try await kek.decrypt(altered, associatedData: []) }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sealgate-hsm-vault-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try KeyVault.createDirectory(at: directory)
        let created = try await KeyVault(directory: directory, provider: kek).create("pii", type: .aes256SIV)
        #expect(try await KeyVault(directory: directory, provider: kek).load("pii") == created)
    }

    @Test("a keyset wrapped by another token key does not unwrap")
    func otherKey() async throws {
        let first = try SoftHSM.key("first")
        let second = try SoftHSM.key("second")
        _ = try first.createKeyIfMissing()
        _ = try second.createKeyIfMissing()
        let wrapped = try await first.encrypt([1, 2, 3], associatedData: [])
        let error = await #expect(throws: SealgateCryptoError.self) { try await second.decrypt(wrapped, associatedData: []) }
        #expect(error?.code == .authenticationFailure, "\(error?.message ?? "")")
    }

    /// A wrong PIN shows only in a process that has not logged in yet (PKCS#11 logs in per application,
    /// not per session): the end-to-end tests check it with the sealgate command.
    @Test("unknown token, missing key and a module that is not PKCS#11 give clear errors")
    func clearErrors() async throws {
        let missing = await #expect(throws: SealgateCryptoError.self) { try await SoftHSM.key("absent").encrypt([1], associatedData: []) }
        #expect(missing?.message.contains("no AES key labelled \"absent\"") == true)
        let token = #expect(throws: SealgateCryptoError.self) {
            try PKCS11KeyEncryptionKey(module: SoftHSM.module, token: "nope", keyLabel: "k", pin: SoftHSM.pin)
        }
        #expect(token?.message.contains("no token labelled \"nope\"") == true)
        #expect(token?.message.contains("\"\(SoftHSM.token)\"") == true, "names the tokens present")
        let module = #expect(throws: SealgateCryptoError.self) {
            try PKCS11KeyEncryptionKey(module: "/lib/x86_64-linux-gnu/libc.so.6", token: "t", keyLabel: "k", pin: "1")
        }
        #expect(module?.message.contains("is not a PKCS#11 module") == true || module?.message.contains("cannot load") == true, "\(module?.message ?? "")")
    }
}
