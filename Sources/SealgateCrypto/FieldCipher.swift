/// Seals and opens JSON field values as sealgate tokens with one named key.
///
/// A token is `sg1:<key>:<base64url without padding>` around the Tink ciphertext of the value; the associated
/// data is the UTF-8 of `sg1|<key>|<rule path>`, so a token moved to a field of another rule does not open.
/// `aes256-siv` keys seal deterministically (same value and rule path, same token), `aes256-gcm` keys randomly.
///
/// Create one cipher per key name when the keys are loaded and share it: it is an immutable `Sendable` value with
/// its AES keys prepared.
public struct FieldCipher: Sendable {
    /// The key name that tokens carry.
    public let keyName: String
    /// The type of the keyset.
    public let keyType: KeyType
    /// The id of the key that seals.
    public let primaryKeyID: UInt32

    private let cipher: TinkCipher
    /// `sg1:<key>:`
    private let tokenPrefix: [UInt8]
    /// `sg1|<key>|`
    private let associatedDataPrefix: [UInt8]

    /// Creates a cipher for a key name.
    /// - Parameters:
    ///   - keyName: The key name, as in the configuration and the vault.
    ///   - keyset: The key name's keyset.
    /// - Throws: ``SealgateCryptoError/Code/invalidKeyName`` if the name is not a valid key name.
    public init(keyName: String, keyset: Keyset) throws {
        guard KeyVault.isValidKeyName(keyName) else {
            throw SealgateCryptoError(.invalidKeyName, KeyVault.keyNameRule(keyName))
        }
        self.keyName = keyName
        keyType = keyset.type
        primaryKeyID = keyset.primaryKeyID
        cipher = try TinkCipher(keyset: keyset)
        tokenPrefix = Array("\(Token.prefix)\(keyName):".utf8)
        associatedDataPrefix = Array("sg1|\(keyName)|".utf8)
    }

    /// Seals a value with the primary key.
    /// - Parameters:
    ///   - plaintext: The value's bytes (sealgate passes its canonical JSON text).
    ///   - rulePath: The rule's path expression exactly as configured; bound as associated data.
    /// - Returns: The token `sg1:<key>:<base64url>`.
    public func seal(plaintext: [UInt8], rulePath: String) throws -> String {
        let ciphertext = try cipher.encrypt(plaintext, associatedData: associatedData(rulePath))
        return Base64URL.encode(ciphertext, after: tokenPrefix)
    }

    /// Opens a token sealed by this key name for this rule path.
    /// - Parameters:
    ///   - token: The token text.
    ///   - rulePath: The rule's path expression exactly as configured.
    /// - Returns: The value's bytes.
    /// - Throws: ``SealgateCryptoError`` with code ``SealgateCryptoError/Code/malformedToken``,
    ///   ``SealgateCryptoError/Code/wrongKeyName``, ``SealgateCryptoError/Code/unknownKeyID`` or
    ///   ``SealgateCryptoError/Code/authenticationFailure``.
    public func open(token: some StringProtocol, rulePath: String) throws -> [UInt8] {
        let ciphertext: [UInt8]
        if let own = try ciphertextOfOwnToken(token) {
            ciphertext = own
        } else {
            let token = try Token(parsing: token)
            guard token.keyName == keyName else {
                throw SealgateCryptoError(.wrongKeyName, "the token is for key \(token.keyName), not \(keyName)")
            }
            ciphertext = token.ciphertext
        }
        do {
            return try cipher.decrypt(ciphertext, associatedData: associatedData(rulePath))
        } catch let error as SealgateCryptoError {
            throw SealgateCryptoError(error.code, "\(keyName) token for \(rulePath): \(error.message)")
        }
    }

    /// The usual case: text that starts with this key's `sg1:<key>:` needs only its payload decoded. Returns nil
    /// for any other text (or text not stored contiguously), which ``Token`` then parses whole.
    private func ciphertextOfOwnToken(_ token: some StringProtocol) throws -> [UInt8]? {
        try token.utf8.withContiguousStorageIfAvailable { utf8 -> [UInt8]? in
            guard utf8.starts(with: tokenPrefix) else { return nil }
            return try Token.ciphertext(payload: UnsafeBufferPointer(rebasing: utf8[tokenPrefix.count...]), keyName: keyName)
        } ?? nil
    }

    private func associatedData(_ rulePath: String) -> [UInt8] {
        var bytes = associatedDataPrefix
        bytes.append(contentsOf: rulePath.utf8)
        return bytes
    }
}
