/// A key-encryption key (KEK): the AEAD that wraps the keysets in a ``KeyVault``.
///
/// Implementations perform Tink AEAD semantics, so that a Tink user holding the same KEK can read the vault with
/// `KeysetHandle.read(reader, masterKeyAead)`. ``LocalKeyEncryptionKey`` is the embedded default; KMS, PKCS#11 and
/// Vault Transit providers implement the same protocol.
public protocol KeyEncryptionKeyProvider: Sendable, CustomStringConvertible {
    /// Encrypts a serialized keyset.
    /// - Parameters:
    ///   - plaintext: The bytes to encrypt.
    ///   - associatedData: Authenticated but not encrypted; Tink uses none for keysets.
    /// - Returns: The ciphertext.
    func encrypt(_ plaintext: [UInt8], associatedData: [UInt8]) async throws -> [UInt8]

    /// Decrypts what ``encrypt(_:associatedData:)`` produced.
    /// - Parameters:
    ///   - ciphertext: The ciphertext.
    ///   - associatedData: The associated data used to encrypt.
    /// - Returns: The plaintext.
    /// - Throws: ``SealgateCryptoError/Code/authenticationFailure`` if the ciphertext is not authentic under
    ///   this KEK.
    func decrypt(_ ciphertext: [UInt8], associatedData: [UInt8]) async throws -> [UInt8]

    /// The associated data a keyset named `name` is wrapped with: empty (Tink's default for keysets) unless the
    /// provider binds each keyset to its name, as the Vault Transit KEK does.
    func keysetAssociatedData(name: String) -> [UInt8]
}

extension KeyEncryptionKeyProvider {
    public func keysetAssociatedData(name: String) -> [UInt8] { [] }
}
