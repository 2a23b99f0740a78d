/// The kinds of data keys sealgate uses, named as in its configuration and CLI.
public enum KeyType: String, Sendable, Hashable, CaseIterable {
    /// Randomized encryption: Tink AEAD with an `AES256_GCM` key (32 bytes, 12-byte IV, 16-byte tag).
    case aes256GCM = "aes256-gcm"
    /// Deterministic encryption for equality search: Tink deterministic AEAD with an `AES256_SIV` key (64 bytes).
    case aes256SIV = "aes256-siv"

    /// The Tink type URL of keys of this type.
    public var typeURL: String {
        switch self {
        case .aes256GCM: "type.googleapis.com/google.crypto.tink.AesGcmKey"
        case .aes256SIV: "type.googleapis.com/google.crypto.tink.AesSivKey"
        }
    }

    /// Whether equal plaintexts give equal ciphertexts.
    public var isDeterministic: Bool {
        self == .aes256SIV
    }

    /// The length of the key material.
    var keyByteCount: Int {
        switch self {
        case .aes256GCM: 32
        case .aes256SIV: 64
        }
    }

    /// The field number of `key_value` in `AesGcmKey` and `AesSivKey`.
    var keyValueField: Int {
        switch self {
        case .aes256GCM: 3
        case .aes256SIV: 2
        }
    }

    init?(typeURL: String) {
        guard let type = Self.allCases.first(where: { $0.typeURL == typeURL }) else {
            return nil
        }
        self = type
    }
}
