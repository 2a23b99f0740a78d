import ArgumentParser
import SealgateCrypto
import SealgateProxy

/// `sealgate keys create NAME [--type aes256-gcm|aes256-siv]`: adds a key name with one new key.
struct KeysCreateCommand: KeysSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a key name holding one new key."
    )

    @OptionGroup var options: KeyVaultOptions
    @OptionGroup var key: KeyNameArgument

    @Option(help: "aes256-gcm: randomized (the default); aes256-siv: deterministic, for equality search.")
    var type: KeyType = .aes256GCM

    func run(at location: KeyStoreLocation) async throws {
        let keyset = try await location.addKey(
            key.name,
            event: .keyCreated,
            advice: "create never replaces a key (`sealgate keys rotate \(key.name)` adds a new primary)"
        ) { vault in
            try await vault.create(key.name, type: type)
        }
        print(
            "created key \(key.name) (\(type.rawValue), key id \(keyset.primaryKeyID)) "
                + "in \(location.vaultDirectory)"
        )
    }
}
