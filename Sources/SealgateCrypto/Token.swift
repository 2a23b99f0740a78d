/// A sealgate field token, `sg1:<key>:<base64url without padding>`, whose payload is a Tink ciphertext with the
/// `TINK` output prefix (`0x01 ‖ key id ‖ …`).
public struct Token: Sendable, Hashable {
    /// The text every token starts with.
    public static let prefix = "sg1:"
    /// The shortest payload: the Tink prefix and an AES-SIV IV around an empty plaintext.
    static let minimumCiphertextByteCount = TinkCipher.prefixByteCount + AESSIV.ivByteCount

    /// The name of the key that sealed the value.
    public let keyName: String
    /// The Tink ciphertext.
    public let ciphertext: [UInt8]

    /// The id of the key, within the keyset, that sealed the value.
    public var keyID: UInt32 {
        TinkCipher.keyID(ciphertext)
    }

    /// Parses a token.
    /// - Parameters:
    ///   - text: The token text.
    /// - Throws: ``SealgateCryptoError/Code/malformedToken`` if the prefix, key name or base64url payload is
    ///   malformed (padding and characters outside the URL alphabet are refused) or the payload is too short.
    public init(parsing text: some StringProtocol) throws {
        let utf8 = Substring(text).utf8
        guard utf8.starts(with: Self.prefix.utf8) else {
            throw SealgateCryptoError(.malformedToken, "a token starts with \(Self.prefix)")
        }
        let rest = utf8.dropFirst(Self.prefix.utf8.count)
        guard let colon = rest.firstIndex(of: UInt8(ascii: ":")),
            let keyName = String(rest[..<colon]),
            KeyVault.isValidKeyName(keyName)
        else {
            throw SealgateCryptoError(.malformedToken, "a token is sg1:<key name>:<base64url>")
        }
        self.keyName = keyName
        self.ciphertext = try Self.ciphertext(payload: rest[rest.index(after: colon)...], keyName: keyName)
    }

    /// Decodes the payload of a token, the text after `sg1:<key name>:`.
    /// - Throws: ``SealgateCryptoError/Code/malformedToken`` if it is not unpadded base64url or too short.
    static func ciphertext(payload: some Collection<UInt8>, keyName: String) throws -> [UInt8] {
        guard let ciphertext = Base64URL.decode(payload) else {
            throw SealgateCryptoError(.malformedToken, "the payload of a \(keyName) token is not unpadded base64url")
        }
        guard ciphertext.count >= Self.minimumCiphertextByteCount else {
            throw SealgateCryptoError(.malformedToken, "the payload of a \(keyName) token is too short")
        }
        return ciphertext
    }
}

extension Token: CustomStringConvertible {
    /// The token text, `sg1:<key>:<base64url>`.
    public var description: String {
        Base64URL.encode(ciphertext, after: Array("\(Self.prefix)\(keyName):".utf8))
    }
}
