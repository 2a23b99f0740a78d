import Foundation
import Testing

@testable import SealgateCrypto

@Suite struct KeyVaultTests {
    @Test func createLoadRotateDestroy() async throws {
        try await withTemporaryDirectory { directory in
            try KeyVault.createDirectory(at: "\(directory)/keys")
            #expect(try permissions("\(directory)/keys") == 0o700)
            // The KEK inside the vault directory, as in the default configuration: it is not a key.
            let vault = KeyVault(
                directory: "\(directory)/keys",
                provider: try LocalKeyEncryptionKey.create(at: "\(directory)/keys/kek.json")
            )
            #expect(try vault.list().isEmpty)
            await expectError(.keyNotFound) { try await vault.destroy("kek") }

            let created = try await vault.create("pii", type: .aes256GCM)
            try await vault.create("pii-search", type: .aes256SIV)
            #expect(try vault.list() == ["pii", "pii-search"])
            #expect(try await vault.load("pii") == created)
            #expect(try permissions("\(directory)/keys/pii.json") == 0o600)
            await expectError(.keyAlreadyExists) { try await vault.create("pii", type: .aes256SIV) }
            #expect(try await vault.load("pii") == created)

            let rotated = try await vault.rotate("pii")
            #expect(rotated.keys.count == 2 && rotated.keys[0] == created.keys[0])
            #expect(try await vault.load("pii") == rotated)
            #expect(try permissions("\(directory)/keys/pii.json") == 0o600)

            try await vault.destroy("pii")
            #expect(try vault.list() == ["pii-search"])
            await expectError(.keyNotFound) { try await vault.load("pii") }
            await expectError(.keyNotFound) { try await vault.destroy("pii") }
            await expectError(.keyNotFound) { try await vault.rotate("pii") }

            // No temporary files are left behind.
            let files = try FileManager.default.contentsOfDirectory(atPath: "\(directory)/keys").sorted()
            #expect(files == [".lock", "kek.json", "pii-search.json", "pii-search.rotation.json"])
        }
    }

    @Test func vaultFileIsTinkEncryptedKeysetJSON() async throws {
        try await withTemporaryDirectory { directory in
            let kek = try LocalKeyEncryptionKey.create(at: "\(directory)/kek.json")
            let vault = KeyVault(directory: directory, provider: kek)
            var keyset = try await vault.create("pii", type: .aes256SIV)
            keyset = try await vault.rotate("pii")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(directory)/pii.json")))
            let object = try #require(json as? [String: Any])
            #expect(Set(object.keys) == ["encryptedKeyset", "keysetInfo"])
            let base64 = try #require(object["encryptedKeyset"] as? String)
            let encrypted = try #require(Data(base64Encoded: base64))
            // The KEK's Tink AEAD output: TINK prefix with the KEK's key id.
            #expect(encrypted.first == 0x01 && TinkCipher.keyID([UInt8](encrypted)) == kek.keyID)
            let decrypted = try await kek.decrypt([UInt8](encrypted), associatedData: [])
            #expect(try Keyset(protobuf: decrypted) == keyset)
            let info = try #require(object["keysetInfo"] as? [String: Any])
            #expect((info["primaryKeyId"] as? NSNumber)?.uint32Value == keyset.primaryKeyID)
            let keyInfo = try #require(info["keyInfo"] as? [[String: Any]])
            #expect(keyInfo.map { $0["status"] as? String } == ["ENABLED", "ENABLED"])
            #expect(keyInfo.map { $0["typeUrl"] as? String } == [KeyType.aes256SIV.typeURL, KeyType.aes256SIV.typeURL])
        }
    }

    @Test func keysetInfoIsInformationalOnly() async throws {
        try await withTemporaryDirectory { directory in
            let kek = try LocalKeyEncryptionKey.create(at: "\(directory)/kek.json")
            let vault = KeyVault(directory: directory, provider: kek)
            let keyset = try await vault.create("pii", type: .aes256GCM)
            let path = "\(directory)/pii.json"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let forged = text.replacingOccurrences(of: "\"primaryKeyId\" : \(keyset.primaryKeyID)", with: "\"primaryKeyId\" : 7")
            #expect(forged != text)
            try forged.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(try await vault.load("pii").primaryKeyID == keyset.primaryKeyID)
        }
    }

    @Test func rewrapChangesOnlyTheKEK() async throws {
        try await withTemporaryDirectory { directory in
            let old = try LocalKeyEncryptionKey.create(at: "\(directory)/old-kek.json")
            let new = try LocalKeyEncryptionKey.create(at: "\(directory)/new-kek.json")
            let vault = KeyVault(directory: directory, provider: old)
            let pii = try await vault.create("pii", type: .aes256GCM)
            let search = try await vault.create("search", type: .aes256SIV)
            let rewrapped = try await vault.rewrap(to: new)
            #expect(try await rewrapped.load("pii") == pii)
            #expect(try await rewrapped.load("search") == search)
            await expectError(.unknownKeyID) { try await vault.load("pii") }
        }
    }

    @Test func failedRewrapLeavesTheVaultAsItWas() async throws {
        try await withTemporaryDirectory { directory in
            let vault = KeyVault(directory: directory, provider: try LocalKeyEncryptionKey.create(at: "\(directory)/kek.json"))
            let pii = try await vault.create("pii", type: .aes256GCM)
            let before = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/pii.json"))
            await expectError(.fileSystem) { try await vault.rewrap(to: UnavailableKEK()) }
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(directory)/pii.json")) == before)
            #expect(try await vault.load("pii") == pii)
        }
    }

    @Test func anotherKEKCannotRead() async throws {
        try await withTemporaryDirectory { directory in
            let kek = try LocalKeyEncryptionKey.create(at: "\(directory)/kek.json")
            try await KeyVault(directory: directory, provider: kek).create("pii", type: .aes256GCM)
            // Same key id, other key material: authentication fails.
            var message = Keyset.generate(.aes256GCM).message
            message.primaryKeyID = kek.keyID
            message.keys[0].keyID = kek.keyID
            try SecureFile.writeFile(Array(try Keyset(message: message).cleartextJSON().utf8), to: "\(directory)/kek2.json", replacing: false)
            let impostor = try LocalKeyEncryptionKey(contentsOf: "\(directory)/kek2.json")
            await expectError(.authenticationFailure) { try await KeyVault(directory: directory, provider: impostor).load("pii") }
        }
    }

    @Test func importAndExportCleartext() async throws {
        try await withTemporaryDirectory { directory in
            let vault = KeyVault(directory: directory, provider: try LocalKeyEncryptionKey.create(at: "\(directory)/kek.json"))
            let imported = try await vault.importCleartext("fixed", json: Data(KeysetCodecTests.fixedSIV.utf8))
            #expect(imported.primaryKeyID == 42)
            let exported = try await vault.exportCleartext("fixed")
            #expect(try Keyset(cleartextJSON: Data(exported.utf8)) == imported)
            await expectError(.keyAlreadyExists) { try await vault.importCleartext("fixed", json: Data(exported.utf8)) }
            await expectError(.invalidKeyset) { try await vault.importCleartext("broken", json: Data("{}".utf8)) }
            #expect(try vault.list() == ["fixed"])
        }
    }

    @Test(arguments: ["../escape", "a/b", "", ".hidden", "UPPER"])
    func invalidNamesNeverTouchTheFileSystem(_ name: String) async throws {
        try await withTemporaryDirectory { directory in
            let vault = KeyVault(directory: directory, provider: try LocalKeyEncryptionKey.create(at: "\(directory)/kek.json"))
            await expectError(.invalidKeyName) { try await vault.create(name, type: .aes256GCM) }
            await expectError(.invalidKeyName) { try await vault.load(name) }
            await expectError(.invalidKeyName) { try await vault.destroy(name) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["kek.json"])
        }
    }

    @Test func kekFilePermissionsAreChecked() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/kek.json"
            let kek = try LocalKeyEncryptionKey.create(at: path)
            #expect(try permissions(path) == 0o600)
            #expect(try LocalKeyEncryptionKey(contentsOf: path).keyID == kek.keyID)
            for mode in [0o644, 0o640, 0o604, 0o660] {
                try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
                do {
                    _ = try LocalKeyEncryptionKey(contentsOf: path)
                    Issue.record("a KEK with mode \(String(mode, radix: 8)) was accepted")
                } catch let error as SealgateCryptoError {
                    #expect(error.code == .insecureFilePermissions)
                    #expect(error.message.contains(path) && error.message.contains("chmod 600"))
                }
            }
            await expectError(.keyAlreadyExists) { try LocalKeyEncryptionKey.create(at: path) }
            await expectError(.fileSystem) { try LocalKeyEncryptionKey(contentsOf: "\(directory)/missing.json") }
        }
    }

    @Test func kekMustBeOneGCMKey() async throws {
        try await withTemporaryDirectory { directory in
            var twoKeys = Keyset.generate(.aes256GCM)
            twoKeys.rotate()
            for (name, keyset) in [("siv", Keyset.generate(.aes256SIV)), ("two", twoKeys)] {
                let path = "\(directory)/\(name).json"
                try SecureFile.writeFile(Array(keyset.cleartextJSON().utf8), to: path, replacing: false)
                await expectError(.invalidKeyset) { try LocalKeyEncryptionKey(contentsOf: path) }
            }
            let path = "\(directory)/garbage.json"
            try SecureFile.writeFile(Array("not json".utf8), to: path, replacing: false)
            await expectError(.invalidKeyset) { try LocalKeyEncryptionKey(contentsOf: path) }
        }
    }

    @Test func malformedVaultFilesGiveErrors() async throws {
        try await withTemporaryDirectory { directory in
            let kek = try LocalKeyEncryptionKey.create(at: "\(directory)/kek.json")
            let vault = KeyVault(directory: directory, provider: kek)
            let ciphertext = try await kek.encrypt(Array("not a keyset".utf8), associatedData: [])
            let contents: [String: String] = [
                "empty": "",
                "array": "[]",
                "nokeyset": #"{"keysetInfo": {}}"#,
                "badbase64": #"{"encryptedKeyset": "%%%"}"#,
                "short": #"{"encryptedKeyset": "AQ=="}"#,
                "garbage": #"{"encryptedKeyset": "\#(Data(ciphertext).base64EncodedString())"}"#,
            ]
            for (name, text) in contents {
                try SecureFile.writeFile(Array(text.utf8), to: "\(directory)/\(name).json", replacing: false)
                do {
                    _ = try await vault.load(name)
                    Issue.record("\(name) loaded")
                } catch let error as SealgateCryptoError {
                    #expect([.invalidKeyset, .authenticationFailure].contains(error.code), "\(name): \(error)")
                    #expect(error.message.contains("\(name).json"), "\(error)")
                }
            }
        }
    }

    @Test func concurrentRotationsAreSerialized() async throws {
        try await withTemporaryDirectory { directory in
            let vault = KeyVault(directory: directory, provider: try LocalKeyEncryptionKey.create(at: "\(directory)/kek.json"))
            try await vault.create("pii", type: .aes256GCM)
            try await withThrowingTaskGroup { group in
                for _ in 0..<8 {
                    group.addTask { try await vault.rotate("pii") }
                }
                try await group.waitForAll()
            }
            // Every rotation saw the previous one's result: none was lost.
            #expect(try await vault.load("pii").keys.count == 9)
        }
    }
}


/// A KEK whose service is down.
struct UnavailableKEK: KeyEncryptionKeyProvider {
    var description: String { "unavailable KEK" }

    func encrypt(_ plaintext: [UInt8], associatedData: [UInt8]) async throws -> [UInt8] {
        throw SealgateCryptoError(.fileSystem, "unavailable")
    }

    func decrypt(_ ciphertext: [UInt8], associatedData: [UInt8]) async throws -> [UInt8] {
        throw SealgateCryptoError(.fileSystem, "unavailable")
    }
}
