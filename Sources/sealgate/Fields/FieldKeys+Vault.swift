import SealgateCrypto
import SealgateProxy

extension FieldKeys {
    /// Unwraps the keysets of some key names from the vault, under the local KEK of `settings`.
    /// - Parameters:
    ///   - names: The key names the field rules use.
    ///   - settings: The configuration's `keys` section.
    static func load(names: Set<String>, from settings: SealgateConfiguration.KeysSettings) async throws -> FieldKeys {
        guard !names.isEmpty, let kekPath = settings.kekPath else { return FieldKeys() }
        let vault = KeyVault(directory: settings.vaultPath, provider: try LocalKeyEncryptionKey(contentsOf: kekPath))
        var ciphers: [FieldCipher] = []
        for name in names.sorted() {
            ciphers.append(try FieldCipher(keyName: name, keyset: try await vault.load(name)))
        }
        return FieldKeys(ciphers)
    }
}
