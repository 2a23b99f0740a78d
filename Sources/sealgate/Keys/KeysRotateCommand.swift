import ArgumentParser
import SealgateCrypto
import SealgateProxy

/// `sealgate keys rotate NAME`: adds a new primary key; older keys stay for decryption.
struct KeysRotateCommand: KeysSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Give a key name a new primary key; older keys stay and still decrypt.",
        discussion: "New values are encrypted with the new primary; existing tokens and backups stay readable."
    )

    @OptionGroup var options: KeyVaultOptions
    @OptionGroup var key: KeyNameArgument

    func run(at location: KeyStoreLocation) async throws {
        let (vault, audit) = try location.openAudited()
        let previous = try await vault.load(key.name).primaryKeyID
        let keyset = try await vault.rotate(key.name)
        try audit.record(AuditEvent(.keyRotated, key: key.name, keyset: keyset, previousPrimaryKeyID: previous))
        let older = keyset.keys.filter { $0.id != keyset.primaryKeyID }.map { String($0.id) }
        print(
            "rotated key \(key.name) (\(keyset.type.rawValue)): "
                + "new primary key id \(keyset.primaryKeyID) (was \(previous))"
        )
        print("older keys stay for decryption: \(older.joined(separator: ", "))")
        if keyset.type.isDeterministic {
            print(
                "note: equal values now get other \(key.name) tokens than before; an equality search must try "
                    + "one token per key id until `sealgate reencrypt` rewrites the old ones"
            )
        }
    }
}
