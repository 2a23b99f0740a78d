import Foundation
import Testing

@testable import SealgateCrypto

@Suite struct KeysetCodecTests {
    /// Made by Python tink 1.16.1: `AES256_GCM` with key id 0xDEADBEEF (above 2^31), and its AEAD ciphertext of
    /// `"123-45-6789"` with associated data `sg1|fixed|$.ssn`.
    static let fixedGCM = """
        {"primaryKeyId": 3735928559, "key": [{"keyData": {"typeUrl": "type.googleapis.com/google.crypto.tink.AesGcmKey", \
        "value": "GiDQUhtGQC2MXSi3Bz+YAv8z3GsOO1XQ4B4KqmH+SHBNFQ==", "keyMaterialType": "SYMMETRIC"}, "status": "ENABLED", \
        "keyId": 3735928559, "outputPrefixType": "TINK"}]}
        """
    static let fixedGCMCiphertext =
        "01deadbeefa28b45828a48e69125b557caa02e292153d1c54e9458659f60340f8b34133b4e1faceabb9d8c05e2ea"

    /// Made by Python tink 1.16.1: `AES256_SIV` with key id 42, and its deterministic ciphertext of the same value.
    static let fixedSIV = """
        {"primaryKeyId": 42, "key": [{"keyData": {"typeUrl": "type.googleapis.com/google.crypto.tink.AesSivKey", \
        "value": "EkAlNmM9fNO0f3JrXvb42mdAyGqueh+T8kRYaDOz1lODSYVdM6lgFC7KAKTfytXONQ0msJDWFVAHC7fGBiT13hzd", \
        "keyMaterialType": "SYMMETRIC"}, "status": "ENABLED", "keyId": 42, "outputPrefixType": "TINK"}]}
        """
    static let fixedSIVCiphertext = "010000002ab4d7dc8bb4f317bd0d8e216152c8c6f1a8e089ddc57492606339c65464"

    static let plaintext = Array(#""123-45-6789""#.utf8)
    static let associatedData = Array("sg1|fixed|$.ssn".utf8)

    @Test func fixedKeysetsDecryptTinkCiphertexts() throws {
        let gcm = try Keyset(cleartextJSON: Data(Self.fixedGCM.utf8))
        #expect(gcm.type == .aes256GCM && gcm.primaryKeyID == 0xDEAD_BEEF && gcm.keys.count == 1)
        let gcmCipher = try TinkCipher(keyset: gcm)
        #expect(try gcmCipher.decrypt([UInt8](hex: Self.fixedGCMCiphertext), associatedData: Self.associatedData) == Self.plaintext)

        let siv = try Keyset(cleartextJSON: Data(Self.fixedSIV.utf8))
        #expect(siv.type == .aes256SIV && siv.primaryKeyID == 42)
        let sivCipher = try TinkCipher(keyset: siv)
        #expect(try sivCipher.encrypt(Self.plaintext, associatedData: Self.associatedData).hex == Self.fixedSIVCiphertext)

        // Unsigned key ids in the JSON written back.
        #expect(gcm.cleartextJSON().contains(#""primaryKeyId" : 3735928559"#))
    }

    @Test(arguments: KeyType.allCases)
    func protobufAndJSONRoundTrip(_ type: KeyType) throws {
        var keyset = Keyset.generate(type)
        keyset.rotate()
        keyset.rotate()
        var message = keyset.message
        message.keys[0].status = 3  // DESTROYED
        message.keys[0].keyData = nil
        message.keys[1].status = 2  // DISABLED
        keyset = try Keyset(message: message)
        #expect(keyset.keys.map(\.status) == [.destroyed, .disabled, .enabled])

        #expect(try Keyset(protobuf: keyset.protobuf) == keyset)
        #expect(try Keyset(cleartextJSON: Data(keyset.cleartextJSON().utf8)) == keyset)
        #expect(try KeysetMessage(protobuf: message.protobuf) == message)

        let info = KeysetInfoMessage(describing: message)
        #expect(info.keyInfo.map(\.typeURL) == ["", type.typeURL, type.typeURL])
        let encrypted = EncryptedKeysetMessage(encryptedKeyset: [1, 2, 3], keysetInfo: info)
        #expect(try EncryptedKeysetMessage(protobuf: encrypted.protobuf) == encrypted)
        let json = TinkJSON.encode(encrypted)
        #expect(try TinkJSON.decode(EncryptedKeysetMessage.self, from: Data(json.utf8), what: "test") == encrypted)
    }

    @Test func protobufMatchesTinkEncoding() throws {
        // AesGcmKey{key_value (3) = 32 bytes}: tag 0x1a, length 0x20, as in the fixed keyset's base64.
        let gcm = try Keyset(cleartextJSON: Data(Self.fixedGCM.utf8))
        let value = gcm.message.keys[0].keyData!.value
        #expect(Data(value).base64EncodedString() == "GiDQUhtGQC2MXSi3Bz+YAv8z3GsOO1XQ4B4KqmH+SHBNFQ==")
        // AesSivKey{key_value (2) = 64 bytes}: tag 0x12, length 0x40.
        let siv = try Keyset(cleartextJSON: Data(Self.fixedSIV.utf8))
        #expect(Array(siv.message.keys[0].keyData!.value.prefix(2)) == [0x12, 0x40])
        // Keyset: primary_key_id (1) = 42 as varint, then key (2), length-delimited.
        #expect(Array(siv.protobuf.prefix(3)) == [0x08, 42, 0x12])
    }

    @Test func jsonAcceptsProto3Variants() throws {
        // Enum numbers, negative int32 key ids (older Tink Java), missing default fields, unknown-length whitespace.
        let json = """
            { "primaryKeyId": -559038737,
              "key": [ { "keyData": { "typeUrl": "type.googleapis.com/google.crypto.tink.AesGcmKey",
                                      "value": "GiDQUhtGQC2MXSi3Bz+YAv8z3GsOO1XQ4B4KqmH+SHBNFQ==", "keyMaterialType": 1 },
                         "status": 1, "keyId": 3735928559, "outputPrefixType": "TINK" } ] }
            """
        #expect(try Keyset(cleartextJSON: Data(json.utf8)) == Keyset(cleartextJSON: Data(Self.fixedGCM.utf8)))
    }

    static let gcmKeyData =
        #"{"typeUrl": "type.googleapis.com/google.crypto.tink.AesGcmKey", "value": "GiDQUhtGQC2MXSi3Bz+YAv8z3GsOO1XQ4B4KqmH+SHBNFQ==", "keyMaterialType": "SYMMETRIC"}"#

    static func keyset(primary: String = "1", key: String) -> String {
        #"{"primaryKeyId": \#(primary), "key": [\#(key)]}"#
    }

    static func key(
        data: String = gcmKeyData,
        status: String = #""ENABLED""#,
        id: String = "1",
        prefix: String = #""TINK""#
    ) -> String {
        #"{"keyData": \#(data), "status": \#(status), "keyId": \#(id), "outputPrefixType": \#(prefix)}"#
    }

    @Test(arguments: [
        "", "null", "[]", "{", #"{"primaryKeyId": 1}"#, #"{"primaryKeyId": 1, "key": []}"#,
        #"{"primaryKeyId": 1, "key": [], "extra": 1}"#, #"{"primaryKeyId": "1", "key": []}"#,
        keyset(primary: "4294967296", key: key()), keyset(primary: "1.5", key: key()), keyset(primary: "2", key: key()),
        keyset(key: key(status: #""DISABLED""#)), keyset(key: key(status: #""ENABLED", "status2": 1"#)),
        keyset(key: key(status: #""UNKNOWN_STATUS""#)), keyset(key: key(status: #""enabled""#)),
        keyset(key: key(status: "7")), keyset(key: key(prefix: #""RAW""#)), keyset(key: key(prefix: #""LEGACY""#)),
        keyset(key: key(id: "-1.5")), keyset(key: key(id: "true")), keyset(key: key(data: "null")),
        keyset(key: key(data: #"{"typeUrl": "type.googleapis.com/google.crypto.tink.AesGcmKey", "value": "not base64!"}"#)),
        keyset(key: key(data: #"{"typeUrl": "type.googleapis.com/google.crypto.tink.AesGcmKey", "value": "GiAA"}"#)),
        keyset(key: key(data: #"{"typeUrl": "type.googleapis.com/google.crypto.tink.AesGcmKey", "value": "/w=="}"#)),
        keyset(key: key(data: #"{"typeUrl": "type.googleapis.com/google.crypto.tink.AesGcmKey", "value": ""}"#)),
        keyset(key: key(data: #"{"typeUrl": "type.googleapis.com/google.crypto.tink.HmacKey", "value": "", "keyMaterialType": "SYMMETRIC"}"#)),
        keyset(key: key(data: gcmKeyData.replacingOccurrences(of: "SYMMETRIC", with: "REMOTE"))),
        keyset(key: key() + ", " + key()),
        keyset(key: key() + ", " + key(data: #"{"typeUrl": "type.googleapis.com/google.crypto.tink.AesSivKey"}"#, id: "2")),
    ])
    func malformedJSONIsRefused(_ json: String) async {
        await expectError(.invalidKeyset) { try Keyset(cleartextJSON: Data(json.utf8)) }
    }

    @Test func validVariantOfTheMalformedTable() throws {
        // Guards the table above: the same builders make a valid keyset.
        #expect(try Keyset(cleartextJSON: Data(Self.keyset(key: Self.key()).utf8)).primaryKeyID == 1)
    }

    @Test func malformedProtobufIsRefused() async throws {
        let valid = Keyset.generate(.aes256SIV).protobuf
        // Every truncation and every single-byte corruption either parses to a keyset or throws; nothing crashes.
        for length in 0..<valid.count {
            await expectError(.invalidKeyset) { try Keyset(protobuf: valid.prefix(length)) }
        }
        for index in valid.indices {
            for value: UInt8 in [0x00, 0x07, 0x80, 0xFF] {
                var bytes = valid
                bytes[index] = value
                _ = try? Keyset(protobuf: bytes)
            }
        }
        for bytes: [UInt8] in [[0x08], [0x08, 0x80], [0x12, 0x05, 0x00], [0x0B], [0x00, 0x00], Array(repeating: 0xFF, count: 11)] {
            await expectError(.invalidKeyset) { try Keyset(protobuf: bytes) }
        }
    }

    @Test func descriptionsHideKeyMaterial() throws {
        let keyset = try Keyset(cleartextJSON: Data(Self.fixedGCM.utf8))
        var dumped = ""
        dump(keyset, to: &dumped)
        for text in [keyset.description, String(describing: keyset.keys[0]), dumped] {
            #expect(text.contains("3735928559"))
            #expect(!text.contains("208"))  // 0xD0, the first key byte
        }
    }
}
