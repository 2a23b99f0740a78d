/// A KEK kept in a local file: a cleartext Tink JSON keyset holding exactly one `AES256_GCM` key.
///
/// It encrypts as Tink AEAD does (with the `TINK` output prefix of that key's id), so a Tink user holding the
/// file reads the vault with `CleartextKeysetHandle`/`cleartext_keyset_handle` and `KeysetHandle.read`.
/// The file must not be accessible by group or others (mode 0600).
public struct LocalKeyEncryptionKey: KeyEncryptionKeyProvider {
    /// The path of the KEK file.
    public let path: String
    /// The id of the KEK's key.
    public let keyID: UInt32
    private let cipher: TinkCipher

    /// Loads a KEK file.
    /// - Parameters:
    ///   - path: The path of the cleartext Tink JSON keyset.
    /// - Throws: ``SealgateCryptoError/Code/insecureFilePermissions`` if group or others may access the file,
    ///   ``SealgateCryptoError/Code/invalidKeyset`` if it is not one `AES256_GCM` key,
    ///   ``SealgateCryptoError/Code/fileSystem`` if it cannot be read.
    public init(contentsOf path: String) throws {
        let keyset: Keyset
        do {
            guard let json = try SecureFile.readFile(path, requirePrivate: true) else {
                throw SealgateCryptoError(.fileSystem, "it does not exist")
            }
            keyset = try Keyset(cleartextJSON: json)
        } catch let error as SealgateCryptoError {
            throw SealgateCryptoError(error.code, "KEK file \(path): \(error.message)")
        }
        guard keyset.type == .aes256GCM, keyset.keys.count == 1 else {
            throw SealgateCryptoError(
                .invalidKeyset,
                "KEK file \(path) must hold exactly one aes256-gcm key, not \(keyset.keys.count) \(keyset.type.rawValue) keys"
            )
        }
        try self.init(path: path, keyset: keyset)
    }

    private init(path: String, keyset: Keyset) throws {
        self.path = path
        keyID = keyset.primaryKeyID
        cipher = try TinkCipher(keyset: keyset)
    }

    /// Writes a new KEK file with mode 0600.
    /// - Parameters:
    ///   - path: Where to write; nothing may exist there yet.
    /// - Returns: The new KEK.
    /// - Throws: ``SealgateCryptoError/Code/keyAlreadyExists`` if the path exists,
    ///   ``SealgateCryptoError/Code/fileSystem`` if it cannot be written.
    public static func create(at path: String) throws -> LocalKeyEncryptionKey {
        let keyset = Keyset.generate(.aes256GCM)
        try SecureFile.writeFile(Array(keyset.cleartextJSON().utf8), to: path, replacing: false)
        return try LocalKeyEncryptionKey(path: path, keyset: keyset)
    }

    /// `local KEK <path> (key id <id>)`.
    public var description: String {
        "local KEK \(path) (key id \(keyID))"
    }

    /// Encrypts with Tink AEAD under the KEK's key.
    public func encrypt(_ plaintext: [UInt8], associatedData: [UInt8]) async throws -> [UInt8] {
        try cipher.encrypt(plaintext, associatedData: associatedData)
    }

    /// Decrypts Tink AEAD ciphertext of the KEK's key.
    public func decrypt(_ ciphertext: [UInt8], associatedData: [UInt8]) async throws -> [UInt8] {
        try cipher.decrypt(ciphertext, associatedData: associatedData)
    }
}
