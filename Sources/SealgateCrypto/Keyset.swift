import Crypto

/// A Tink keyset of one ``KeyType``: a primary key that encrypts, plus older keys kept for decryption.
///
/// Every key uses Tink's `TINK` output prefix, so each ciphertext starts with `0x01` and the key id (4 bytes,
/// big-endian). Read and write keysets in Tink's cleartext JSON with ``init(cleartextJSON:)`` and
/// ``cleartextJSON()``; ``KeyVault`` stores them encrypted.
public struct Keyset: Sendable, Hashable {
    /// Whether a key may be used.
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Encrypts (when primary) and decrypts.
        case enabled = "ENABLED"
        /// Kept, but neither encrypts nor decrypts.
        case disabled = "DISABLED"
        /// Its material is gone; ciphertexts under it are unreadable.
        case destroyed = "DESTROYED"
    }

    /// One key of a keyset.
    public struct Key: Sendable, Hashable {
        /// The key id written into every ciphertext's prefix.
        public let id: UInt32
        /// Whether the key may be used.
        public let status: Status
        /// The raw key bytes; empty for destroyed keys.
        let material: [UInt8]
    }

    /// The type of every key in the keyset.
    public let type: KeyType
    /// The id of the key that encrypts.
    public private(set) var primaryKeyID: UInt32
    /// The keys, oldest first.
    public private(set) var keys: [Key]

    init(type: KeyType, primaryKeyID: UInt32, keys: [Key]) {
        self.type = type
        self.primaryKeyID = primaryKeyID
        self.keys = keys
    }

    /// Creates a keyset holding one new random key.
    /// - Parameters:
    ///   - type: The type of the key.
    /// - Returns: A keyset whose only key is enabled and primary.
    public static func generate(_ type: KeyType) -> Keyset {
        var keyset = Keyset(type: type, primaryKeyID: 0, keys: [])
        keyset.rotate()
        return keyset
    }

    /// Adds a new random enabled key with a fresh id and makes it the primary; older keys stay for decryption.
    /// - Returns: The id of the new primary key.
    @discardableResult
    public mutating func rotate() -> UInt32 {
        var id: UInt32
        repeat {
            id = UInt32.random(in: 1...UInt32.max)
        } while keys.contains { $0.id == id }
        let material = SymmetricKey(size: SymmetricKeySize(bitCount: type.keyByteCount * 8)).withUnsafeBytes { Array($0) }
        keys.append(Key(id: id, status: .enabled, material: material))
        primaryKeyID = id
        return id
    }
}

extension Keyset: CustomStringConvertible {
    /// The type, primary and key ids; never key material.
    public var description: String {
        let list = keys.map { "\($0.id) \($0.status.rawValue)" }.joined(separator: ", ")
        return "Keyset(\(type.rawValue), primary \(primaryKeyID), keys: \(list))"
    }
}

extension Keyset.Key: CustomStringConvertible, CustomReflectable {
    /// The id and status; never key material.
    public var description: String {
        "Key(\(id) \(status.rawValue))"
    }

    /// Omits the key material from `dump` and debuggers.
    public var customMirror: Mirror {
        Mirror(self, children: ["id": id, "status": status])
    }
}
