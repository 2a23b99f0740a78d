import SealgateCrypto

/// The unwrapped keys of the key names that rules use, loaded once from the vault and shared.
public struct FieldKeys: Sendable {
    private let ciphers: [String: FieldCipher]
    /// The rotation record of each key name, for the key age metrics.
    public let rotation: [String: KeyRotationRecord]

    /// - Parameters:
    ///   - ciphers: one cipher per key name.
    ///   - rotation: the rotation record of each key name that has one.
    public init(_ ciphers: [FieldCipher] = [], rotation: [String: KeyRotationRecord] = [:]) {
        self.ciphers = Dictionary(ciphers.map { ($0.keyName, $0) }, uniquingKeysWith: { _, last in last })
        self.rotation = rotation
    }

    /// Whether no key is loaded.
    public var isEmpty: Bool { self.ciphers.isEmpty }

    /// The loaded key names, sorted.
    public var names: [String] { self.ciphers.keys.sorted() }

    /// The cipher of a key name, if it is loaded.
    public subscript(_ keyName: String) -> FieldCipher? { self.ciphers[keyName] }

    /// `name:primary-key-id` of each key, for logs.
    public var summary: String {
        self.ciphers.keys.sorted().map { "\($0):\(self.ciphers[$0]!.primaryKeyID)" }.joined(separator: ", ")
    }
}
