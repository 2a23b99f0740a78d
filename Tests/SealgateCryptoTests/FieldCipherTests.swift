import Foundation
import Testing

@testable import SealgateCrypto

@Suite struct FieldCipherTests {
    static let plaintext = Array(#""123-45-6789""#.utf8)

    @Test(arguments: KeyType.allCases)
    func roundTrip(_ type: KeyType) throws {
        let cipher = try FieldCipher(keyName: "pii", keyset: .generate(type))
        for value in [[], Self.plaintext, Array(repeating: UInt8(ascii: "x"), count: 1000)] {
            let token = try cipher.seal(plaintext: value, rulePath: "$.ssn")
            #expect(token.hasPrefix("sg1:pii:"))
            #expect(!token.contains("="))
            #expect(try cipher.open(token: token, rulePath: "$.ssn") == value)
            let overhead = type == .aes256GCM ? 5 + 12 + 16 : 5 + 16
            #expect(try Token(parsing: token).ciphertext.count == value.count + overhead)
        }
    }

    @Test func sivIsDeterministicAndGCMIsNot() throws {
        let siv = try FieldCipher(keyName: "pii-search", keyset: .generate(.aes256SIV))
        #expect(try siv.seal(plaintext: Self.plaintext, rulePath: "$.a") == siv.seal(plaintext: Self.plaintext, rulePath: "$.a"))
        #expect(try siv.seal(plaintext: Self.plaintext, rulePath: "$.a") != siv.seal(plaintext: Self.plaintext, rulePath: "$.b"))
        let gcm = try FieldCipher(keyName: "pii", keyset: .generate(.aes256GCM))
        #expect(try gcm.seal(plaintext: Self.plaintext, rulePath: "$.a") != gcm.seal(plaintext: Self.plaintext, rulePath: "$.a"))
    }

    @Test(arguments: KeyType.allCases)
    func tamperingAnyByteFails(_ type: KeyType) async throws {
        let cipher = try FieldCipher(keyName: "pii", keyset: .generate(type))
        let token = try Token(parsing: cipher.seal(plaintext: Self.plaintext, rulePath: "$.ssn"))
        for index in token.ciphertext.indices {
            var bytes = token.ciphertext
            bytes[index] ^= 0x01
            let tampered = "sg1:pii:" + Base64URL.encode(bytes)
            // Bytes 1...4 are the key id: changing them names a key the keyset does not have.
            await expectError((1...4).contains(index) ? .unknownKeyID : .authenticationFailure) {
                try cipher.open(token: tampered, rulePath: "$.ssn")
            }
        }
    }

    @Test(arguments: KeyType.allCases)
    func tokenMovedToAnotherRuleFails(_ type: KeyType) async throws {
        let cipher = try FieldCipher(keyName: "pii", keyset: .generate(type))
        let token = try cipher.seal(plaintext: Self.plaintext, rulePath: "$.ssn")
        await expectError(.authenticationFailure) { try cipher.open(token: token, rulePath: "$.card.number") }
        await expectError(.authenticationFailure) { try cipher.open(token: token, rulePath: "$.ssn ") }
    }

    @Test func wrongKeyFails() async throws {
        let keyset = Keyset.generate(.aes256GCM)
        let cipher = try FieldCipher(keyName: "pii", keyset: keyset)
        let token = try cipher.seal(plaintext: Self.plaintext, rulePath: "$.ssn")
        // Another key name: refused before any decryption.
        let financial = try FieldCipher(keyName: "financial", keyset: keyset)
        await expectError(.wrongKeyName) { try financial.open(token: token, rulePath: "$.ssn") }
        // The same name with another keyset: the key id is unknown there.
        let other = try FieldCipher(keyName: "pii", keyset: .generate(.aes256GCM))
        await expectError(.unknownKeyID) { try other.open(token: token, rulePath: "$.ssn") }
        // A key with the same id but other material does not authenticate.
        var impostor = Keyset.generate(.aes256GCM)
        impostor = try Keyset(message: {
            var message = impostor.message
            message.primaryKeyID = keyset.primaryKeyID
            message.keys[0].keyID = keyset.primaryKeyID
            return message
        }())
        let impostorCipher = try FieldCipher(keyName: "pii", keyset: impostor)
        await expectError(.authenticationFailure) { try impostorCipher.open(token: token, rulePath: "$.ssn") }
    }

    @Test(arguments: KeyType.allCases)
    func truncatedTokensFail(_ type: KeyType) async throws {
        let cipher = try FieldCipher(keyName: "pii", keyset: .generate(type))
        let token = try cipher.seal(plaintext: Self.plaintext, rulePath: "$.ssn")
        for length in "sg1:pii:".count..<token.count {
            let truncated = String(token.prefix(length))
            do {
                _ = try cipher.open(token: truncated, rulePath: "$.ssn")
                Issue.record("a token truncated to \(length) characters opened")
            } catch let error as SealgateCryptoError {
                #expect([.malformedToken, .authenticationFailure].contains(error.code), "\(error)")
            }
        }
    }

    @Test func rotationKeepsOldTokensReadable() async throws {
        var keyset = Keyset.generate(.aes256SIV)
        let oldID = keyset.primaryKeyID
        let before = try FieldCipher(keyName: "pii", keyset: keyset)
        let oldToken = try before.seal(plaintext: Self.plaintext, rulePath: "$.ssn")

        let newID = keyset.rotate()
        #expect(newID != oldID && keyset.primaryKeyID == newID && keyset.keys.map(\.id) == [oldID, newID])
        let after = try FieldCipher(keyName: "pii", keyset: keyset)
        let newToken = try after.seal(plaintext: Self.plaintext, rulePath: "$.ssn")
        #expect(try Token(parsing: oldToken).keyID == oldID)
        #expect(try Token(parsing: newToken).keyID == newID)
        #expect(newToken != oldToken)
        #expect(try after.open(token: oldToken, rulePath: "$.ssn") == Self.plaintext)
        #expect(try after.open(token: newToken, rulePath: "$.ssn") == Self.plaintext)
        // The old cipher does not know the new key.
        await expectError(.unknownKeyID) { try before.open(token: newToken, rulePath: "$.ssn") }
    }

    @Test func disabledKeysDoNotDecrypt() async throws {
        var keyset = Keyset.generate(.aes256GCM)
        let token = try FieldCipher(keyName: "pii", keyset: keyset).seal(plaintext: Self.plaintext, rulePath: "$.x")
        keyset.rotate()
        var message = keyset.message
        message.keys[0].status = 2  // DISABLED
        let disabled = try FieldCipher(keyName: "pii", keyset: Keyset(message: message))
        await expectError(.unknownKeyID) { try disabled.open(token: token, rulePath: "$.x") }
    }

    @Test(arguments: [
        "", "sg1", "sg1:", "sg2:pii:AAAA", "sg1:pii", "sg1::AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "sg1:PII:AAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "sg1:../x:AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "sg1:pii:AAAA", "sg1:pii:AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "sg1:pii:AAAAAAAAAAAAAAAAAAAAAAAAAAA+", "sg1:pii:AAAAAAAAAAAAAAAAAAAAAAAAAAA/", "sg1:pii:AAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "sg1:pii:AAAAAAAAAAAAAAAAAAAAAAAAAAA B", "sg1:pii:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", "sg1:pii:AAAAAAAAAAAAAAAAAAAAAAAAAAAAé",
    ])
    func malformedTokens(_ text: String) async throws {
        await expectError(.malformedToken) { try Token(parsing: text) }
        // Opening takes a shortcut for text that starts with its own `sg1:pii:`; it refuses the same way.
        let cipher = try FieldCipher(keyName: "pii", keyset: .generate(.aes256GCM))
        await expectError(.malformedToken) { try cipher.open(token: text, rulePath: "$.x") }
        await expectError(.malformedToken) { try cipher.open(token: text[...], rulePath: "$.x") }
    }

    @Test func tokenTextRoundTrips() throws {
        let cipher = try FieldCipher(keyName: "a.b_c-9", keyset: .generate(.aes256SIV))
        let text = try cipher.seal(plaintext: [1, 2, 3], rulePath: "$['odd key']")
        let token = try Token(parsing: text)
        #expect(token.keyName == "a.b_c-9" && token.description == text)
        #expect(token.keyID == cipher.primaryKeyID)
    }

    @Test(arguments: ["", "Pii", "-pii", ".pii", "pii/x", "../pii", String(repeating: "a", count: 64)])
    func invalidKeyNames(_ name: String) async {
        #expect(!KeyVault.isValidKeyName(name))
        await expectError(.invalidKeyName) { try FieldCipher(keyName: name, keyset: .generate(.aes256GCM)) }
    }

    @Test func base64URLMatchesFoundation() {
        for count in 0..<40 {
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            let expected = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(Base64URL.encode(bytes) == expected)
            #expect(Base64URL.decode(Array(expected.utf8)) == bytes)
        }
    }
}
