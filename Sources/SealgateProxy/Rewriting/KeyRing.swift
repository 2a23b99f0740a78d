import NIOConcurrencyHelpers

/// The field keys in use. Replaced as a whole when the vault changes; each request takes the
/// set current when it starts, so a rotation never mixes keys within one body.
public final class KeyRing: Sendable {
    private let keys: NIOLockedValueBox<FieldKeys>

    public init(_ keys: FieldKeys = FieldKeys()) {
        self.keys = NIOLockedValueBox(keys)
    }

    /// The keys now.
    public var current: FieldKeys { self.keys.withLockedValue { $0 } }

    /// Puts a new set of keys in use.
    public func replace(with keys: FieldKeys) {
        self.keys.withLockedValue { $0 = keys }
    }
}
