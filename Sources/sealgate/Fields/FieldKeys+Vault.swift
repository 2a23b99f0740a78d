import SealgateCrypto
import SealgateProxy

extension FieldKeys {
    /// Unwraps the keysets of some key names from the vault, under the KEK of `settings`.
    /// - Parameters:
    ///   - names: The key names the field rules use.
    ///   - settings: The configuration's `keys` section.
    static func load(names: Set<String>, from settings: SealgateConfiguration.KeysSettings) async throws -> FieldKeys {
        guard !names.isEmpty else { return FieldKeys() }
        let kek = InstrumentedKeyEncryptionKey(try settings.kek.provider(), provider: settings.kek.providerName)
        let vault = KeyVault(directory: settings.vaultPath, provider: kek)
        var ciphers: [FieldCipher] = []
        var rotation: [String: KeyRotationRecord] = [:]
        for name in names.sorted() {
            ciphers.append(try FieldCipher(keyName: name, keyset: try await vault.load(name)))
            // A missing or unreadable record only leaves the key age metrics out; it never stops the keys.
            rotation[name] = try? vault.rotationRecord(name)
        }
        return FieldKeys(ciphers, rotation: rotation)
    }
}
