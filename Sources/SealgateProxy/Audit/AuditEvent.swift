import Foundation

/// One line of the audit log: a key management action, or key use aggregated per minute.
///
/// Events name keys, key types, key ids and KEK files; they never carry a plaintext value or key material.
/// Fields left nil are omitted from the line.
public struct AuditEvent: Sendable, Hashable {
    /// What happened, written as the `event` member; a struct so that names can be added without breaking callers.
    public struct Name: Sendable, Hashable, CustomStringConvertible {
        /// The name as written, such as `key.created`.
        public let description: String

        private init(_ description: String) {
            self.description = description
        }

        /// A key name was created with one new key.
        public static let keyCreated = Name("key.created")
        /// A key name got a new primary key; older keys stay for decryption.
        public static let keyRotated = Name("key.rotated")
        /// A key name was deleted from the vault (crypto-shredding).
        public static let keyDestroyed = Name("key.destroyed")
        /// A keyset was written out in cleartext.
        public static let keyExported = Name("key.exported")
        /// A keyset was imported from cleartext.
        public static let keyImported = Name("key.imported")
        /// A new local KEK file was created.
        public static let kekCreated = Name("kek.created")
        /// Every keyset of the vault was re-encrypted under another KEK.
        public static let kekRotated = Name("kek.rotated")
        /// Every keyset of the vault was re-encrypted under the KEK's newest version (a KMS key rotated in place).
        public static let kekRewrapped = Name("kek.rewrapped")
        /// Keys were used by the proxy: one event per key, identity and operation per minute.
        public static let keyUsed = Name("key.used")
    }

    /// What happened.
    public var name: Name
    /// The key name (`key`).
    public var key: String?
    /// The key type, such as `aes256-gcm` (`type`).
    public var type: String?
    /// The id of the KEK's key (`key_id`).
    public var keyID: UInt32?
    /// The keyset's primary key id after the action (`primary_key_id`).
    public var primaryKeyID: UInt32?
    /// The primary key id before a rotation (`previous_primary_key_id`).
    public var previousPrimaryKeyID: UInt32?
    /// Every key id of the keyset (`key_ids`).
    public var keyIDs: [UInt32]?
    /// The KEK, such as its file path (`kek`).
    public var kek: String?
    /// The KEK before a KEK rotation (`previous_kek`).
    public var previousKEK: String?
    /// The key names an action touched, such as every keyset a KEK rotation rewrapped (`keys`).
    public var keys: [String]?
    /// The client identity that used the key (`key.used`).
    public var identity: String?
    /// `encrypt` or `decrypt` (`key.used`).
    public var operation: String?
    /// How many fields (`key.used`).
    public var count: Int?
    /// Start of the aggregation window (`key.used`).
    public var since: Date?

    /// Creates an event.
    /// - Parameters:
    ///   - name: What happened.
    ///   - key: The key name.
    ///   - type: The key type.
    ///   - keyID: The id of the KEK's key.
    ///   - primaryKeyID: The keyset's primary key id after the action.
    ///   - previousPrimaryKeyID: The primary key id before a rotation.
    ///   - keyIDs: Every key id of the keyset.
    ///   - kek: The KEK.
    ///   - previousKEK: The KEK before a KEK rotation.
    ///   - keys: The key names the action touched.
    public init(
        _ name: Name,
        key: String? = nil,
        type: String? = nil,
        keyID: UInt32? = nil,
        primaryKeyID: UInt32? = nil,
        previousPrimaryKeyID: UInt32? = nil,
        keyIDs: [UInt32]? = nil,
        kek: String? = nil,
        previousKEK: String? = nil,
        keys: [String]? = nil
    ) {
        self.name = name
        self.key = key
        self.type = type
        self.keyID = keyID
        self.primaryKeyID = primaryKeyID
        self.previousPrimaryKeyID = previousPrimaryKeyID
        self.keyIDs = keyIDs
        self.kek = kek
        self.previousKEK = previousKEK
        self.keys = keys
    }
}
