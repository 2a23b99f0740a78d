import SealgateCrypto
import SealgateProxy

extension FieldKeys {
    /// Unwraps the keysets that field rules use from the vault, under the KEK of `settings`: each plain key name, and
    /// every vault key a per-tenant template (`pii-{uri:2}`) can resolve to.
    /// - Parameters:
    ///   - keys: The rules' `key`s: key names or templates.
    ///   - settings: The configuration's `keys` section.
    static func load(rulesKeys keys: Set<String>, from settings: SealgateConfiguration.KeysSettings) async throws -> FieldKeys {
        guard !keys.isEmpty else { return FieldKeys() }
        let kek = InstrumentedKeyEncryptionKey(try settings.kek.provider(), provider: settings.kek.providerName)
        let vault = KeyVault(directory: settings.vaultPath, provider: kek)
        let templates = keys.compactMap { try? KeyTemplate.parse($0) }
        var names = keys.filter { (try? KeyTemplate.parse($0)) == nil }
        if !templates.isEmpty {
            names.formUnion(try vault.list().filter { name in templates.contains { $0.matches(name) } })
        }
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
