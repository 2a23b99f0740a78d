import SealgateCrypto
import SealgateProxy

extension AuditEvent {
    /// An event about a key name: its type, primary key id and every key id, never key material.
    init(_ name: Name, key: String, keyset: Keyset, previousPrimaryKeyID: UInt32? = nil) {
        self.init(
            name,
            key: key,
            type: keyset.type.rawValue,
            primaryKeyID: keyset.primaryKeyID,
            previousPrimaryKeyID: previousPrimaryKeyID,
            keyIDs: keyset.keys.map(\.id)
        )
    }
}
