import Foundation
import Testing

@testable import SealgateCrypto

/// sealgate against Python tink, both ways: cleartext keysets, ciphertexts, and vault files under a KEK.
@Suite(.pythonTink) struct TinkInteropTests {
    struct Vector: Decodable {
        let keyset: String
        let keyName: String
        let rulePath: String
        let plaintext: String
        let ciphertext: String
    }

    @Test func sealgateOpensPythonCiphertexts() async throws {
        try await withTemporaryDirectory { directory in
            _ = try await PythonTink.run("generate", directory)
            let vectors = try JSONDecoder().decode([Vector].self, from: Data(contentsOf: URL(fileURLWithPath: "\(directory)/vectors.json")))
            #expect(vectors.count == 16)
            for vector in vectors {
                let keyset = try Keyset(cleartextJSON: Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(vector.keyset).json")))
                #expect(keyset.keys.count == 2)
                let cipher = try FieldCipher(keyName: vector.keyName, keyset: keyset)
                let ciphertext = [UInt8](try #require(Data(base64Encoded: vector.ciphertext)))
                let token = Base64URL.encode(ciphertext, after: Array("sg1:\(vector.keyName):".utf8))
                let plaintext = [UInt8](try #require(Data(base64Encoded: vector.plaintext)))
                #expect(try cipher.open(token: token, rulePath: vector.rulePath) == plaintext)
                if keyset.type == .aes256SIV, TinkCipher.keyID(ciphertext) == keyset.primaryKeyID {
                    #expect(try cipher.seal(plaintext: plaintext, rulePath: vector.rulePath) == token)
                }
            }
        }
    }

    @Test(arguments: KeyType.allCases)
    func pythonOpensSealgateCiphertexts(_ type: KeyType) async throws {
        try await withTemporaryDirectory { directory in
            var keyset = Keyset.generate(type)
            let old = try FieldCipher(keyName: "pii", keyset: keyset)
            keyset.rotate()
            let new = try FieldCipher(keyName: "pii", keyset: keyset)
            let values = [#""123-45-6789""#, "123", #"{"a":1}"#, "null", String(repeating: "y", count: 100)].map { Array($0.utf8) }
            var items: [[String: String]] = []
            var expected: [String] = []
            for cipher in [old, new] {
                for value in values {
                    let token = try Token(parsing: cipher.seal(plaintext: value, rulePath: "$.contacts[*].phone"))
                    items.append([
                        "associatedData": Data("sg1|pii|$.contacts[*].phone".utf8).base64EncodedString(),
                        "ciphertext": Data(token.ciphertext).base64EncodedString(),
                    ])
                    expected.append(Data(value).base64EncodedString())
                }
            }
            let request: [String: Any] = ["keyset": keyset.cleartextJSON(), "items": items]
            try JSONSerialization.data(withJSONObject: request).write(to: URL(fileURLWithPath: "\(directory)/request.json"))

            let response = try await JSONSerialization.jsonObject(with: Data(PythonTink.run("decrypt", "\(directory)/request.json").utf8))
            let object = try #require(response as? [String: Any])
            #expect(object["plaintexts"] as? [String] == expected)
            if type == .aes256SIV {
                // Tink's deterministic encryption of each value under the new primary is sealgate's new token.
                let reencrypted = try #require(object["reencrypted"] as? [String])
                #expect(Array(reencrypted.suffix(values.count)) == Array(items.suffix(values.count)).map { $0["ciphertext"] })
            }
        }
    }

    @Test func pythonReadsTheVault() async throws {
        try await withTemporaryDirectory { directory in
            let kekPath = "\(directory)/kek.json"
            let vault = KeyVault(directory: directory, provider: try LocalKeyEncryptionKey.create(at: kekPath))
            try await vault.create("pii", type: .aes256GCM)
            let keyset = try await vault.rotate("pii")
            let cleartext = try await PythonTink.run("read-encrypted", kekPath, "\(directory)/pii.json")
            #expect(try Keyset(cleartextJSON: Data(cleartext.utf8)) == keyset)
        }
    }

    @Test func sealgateReadsPythonVaultFiles() async throws {
        try await withTemporaryDirectory { directory in
            let kekPath = "\(directory)/kek.json"
            let vault = KeyVault(directory: directory, provider: try LocalKeyEncryptionKey.create(at: kekPath))
            _ = try await PythonTink.run("write-encrypted", kekPath, "\(directory)/from-python.json", "\(directory)/clear.txt")
            let expected = try Keyset(cleartextJSON: Data(contentsOf: URL(fileURLWithPath: "\(directory)/clear.txt")))
            #expect(try vault.list() == ["from-python"])
            #expect(try await vault.load("from-python") == expected)
            #expect(expected.type == .aes256SIV)
        }
    }
}
