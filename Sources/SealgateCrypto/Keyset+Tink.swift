#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Keyset {
    /// Parses Tink's cleartext JSON keyset format, as written by tinkey and `CleartextKeysetHandle`.
    /// - Parameters:
    ///   - json: The UTF-8 JSON text.
    /// - Throws: ``SealgateCryptoError/Code/invalidKeyset`` if the JSON is malformed or holds a keyset that
    ///   sealgate cannot use (another key type or output prefix, no enabled primary, mixed types).
    public init(cleartextJSON json: some DataProtocol) throws {
        try self.init(message: TinkJSON.decode(KeysetMessage.self, from: json, what: "Tink JSON keyset"))
    }

    /// The keyset in Tink's cleartext JSON keyset format; it contains the secret key material.
    public func cleartextJSON() -> String {
        TinkJSON.encode(message)
    }

    /// Parses a binary serialized `google.crypto.tink.Keyset`.
    init(protobuf bytes: some Collection<UInt8>) throws {
        try self.init(message: KeysetMessage(protobuf: bytes))
    }

    /// The keyset as a binary serialized `google.crypto.tink.Keyset`.
    var protobuf: [UInt8] {
        message.protobuf
    }

    /// Reads Tink's encrypted keyset JSON: decrypts `encryptedKeyset` with `associatedData` (empty, Tink's
    /// default, unless the provider binds keysets to their names) and parses it. `keysetInfo` is informational only
    /// and ignored.
    static func decrypt(
        encryptedJSON json: some DataProtocol,
        with provider: any KeyEncryptionKeyProvider,
        associatedData: [UInt8] = [],
        what: String
    ) async throws -> Keyset {
        let encrypted = try TinkJSON.decode(EncryptedKeysetMessage.self, from: json, what: what)
        guard !encrypted.encryptedKeyset.isEmpty else {
            throw SealgateCryptoError(.invalidKeyset, "\(what) has no encryptedKeyset")
        }
        let plaintext: [UInt8]
        do {
            plaintext = try await provider.decrypt(encrypted.encryptedKeyset, associatedData: associatedData)
        } catch let error as SealgateCryptoError where error.code == .authenticationFailure || error.code == .unknownKeyID {
            throw SealgateCryptoError(error.code, "\(what) does not decrypt with \(provider): \(error.message)")
        }
        do {
            return try Keyset(protobuf: plaintext)
        } catch let error as SealgateCryptoError {
            throw SealgateCryptoError(error.code, "\(what): \(error.message)")
        }
    }

    /// The keyset in Tink's encrypted keyset JSON, encrypted by `provider`, exactly as Tink's
    /// `KeysetHandle.write(writer, masterKeyAead)` writes it (with empty associated data) or, with associated data,
    /// as `KeysetHandle.writeWithAssociatedData` does.
    func encryptedJSON(with provider: any KeyEncryptionKeyProvider, associatedData: [UInt8] = []) async throws -> String {
        let message = message
        let encrypted = try await provider.encrypt(message.protobuf, associatedData: associatedData)
        return TinkJSON.encode(
            EncryptedKeysetMessage(encryptedKeyset: encrypted, keysetInfo: KeysetInfoMessage(describing: message))
        )
    }
}

extension Keyset {
    private static let tinkPrefix = 1
    private static let symmetric = 1

    /// Checks a parsed keyset the way Tink does, and that sealgate supports it.
    init(message: KeysetMessage) throws {
        func invalid(_ detail: String) -> SealgateCryptoError {
            SealgateCryptoError(.invalidKeyset, detail)
        }
        guard !message.keys.isEmpty else {
            throw invalid("the keyset has no keys")
        }
        var type: KeyType?
        var keys: [Key] = []
        for key in message.keys {
            guard key.outputPrefixType == Self.tinkPrefix else {
                let prefix = TinkEnumNames.name(key.outputPrefixType, in: TinkEnumNames.outputPrefix)
                throw invalid("key \(key.keyID) has output prefix \(prefix); sealgate supports TINK only")
            }
            guard (1...3).contains(key.status), let status = Status(rawValue: TinkEnumNames.keyStatus[key.status])
            else {
                throw invalid("key \(key.keyID) has an unknown status")
            }
            guard status != .destroyed else {
                keys.append(Key(id: key.keyID, status: status, material: []))
                continue
            }
            let (keyType, material) = try Self.parseKeyData(key.keyData, keyID: key.keyID)
            guard type == nil || type == keyType else {
                throw invalid("the keyset mixes \(type?.rawValue ?? "") and \(keyType.rawValue) keys")
            }
            type = keyType
            keys.append(Key(id: key.keyID, status: status, material: material))
        }
        let primaries = keys.filter { $0.id == message.primaryKeyID && $0.status == .enabled }
        guard let type, primaries.count == 1 else {
            throw invalid(
                primaries.isEmpty
                    ? "the keyset has no enabled primary key (primaryKeyId \(message.primaryKeyID))"
                    : "the keyset has several enabled keys with the primary id \(message.primaryKeyID)"
            )
        }
        self.init(type: type, primaryKeyID: message.primaryKeyID, keys: keys)
    }

    private static func parseKeyData(_ keyData: KeyDataMessage?, keyID: UInt32) throws -> (KeyType, [UInt8]) {
        guard let keyData else {
            throw SealgateCryptoError(.invalidKeyset, "key \(keyID) has no keyData")
        }
        guard let type = KeyType(typeURL: keyData.typeURL) else {
            let supported = KeyType.allCases.map { "\($0.rawValue) (\($0.typeURL))" }.joined(separator: ", ")
            throw SealgateCryptoError(
                .invalidKeyset,
                "key \(keyID) has type \"\(keyData.typeURL)\"; sealgate supports \(supported)"
            )
        }
        guard keyData.keyMaterialType == symmetric else {
            throw SealgateCryptoError(.invalidKeyset, "key \(keyID) is not SYMMETRIC key material")
        }
        let key = try AESKeyMessage(protobuf: keyData.value, keyValueField: type.keyValueField)
        guard key.version == 0 else {
            throw SealgateCryptoError(.invalidKeyset, "key \(keyID) has unsupported version \(key.version)")
        }
        guard key.keyValue.count == type.keyByteCount else {
            throw SealgateCryptoError(
                .invalidKeyset,
                "key \(keyID) has \(key.keyValue.count) bytes of key material; \(type.rawValue) needs \(type.keyByteCount)"
            )
        }
        return (type, key.keyValue)
    }

    /// The keyset as Tink's `Keyset` message; destroyed keys have no key data, as in Tink.
    var message: KeysetMessage {
        KeysetMessage(
            primaryKeyID: primaryKeyID,
            keys: keys.map { key in
                KeysetMessage.Key(
                    keyData: key.status == .destroyed
                        ? nil
                        : KeyDataMessage(
                            typeURL: type.typeURL,
                            value: AESKeyMessage(keyValue: key.material).protobuf(keyValueField: type.keyValueField),
                            keyMaterialType: Self.symmetric
                        ),
                    status: TinkEnumNames.keyStatus.firstIndex(of: key.status.rawValue) ?? 0,
                    keyID: key.id,
                    outputPrefixType: Self.tinkPrefix
                )
            }
        )
    }
}
