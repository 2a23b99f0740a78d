import ArgumentParser
import SealgateCrypto
import SealgateProxy

/// `sealgate keys destroy NAME --confirm`: deletes a key name, crypto-shredding every value encrypted with it.
struct KeysDestroyCommand: KeysSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy",
        abstract: "Delete a key name for good: every token of that key, anywhere, becomes unreadable.",
        discussion: "Without --confirm nothing is deleted; the command says what would become unreadable."
    )

    @OptionGroup var options: KeyVaultOptions
    @OptionGroup var key: KeyNameArgument

    @Flag(help: "Really destroy the key (crypto-shredding; cannot be undone).")
    var confirm = false

    func run(at location: KeyStoreLocation) async throws {
        let (vault, audit) = try location.openAudited()
        let keyset = try await vault.load(key.name)
        let ids = keyset.keys.map { String($0.id) }.joined(separator: ", ")
        guard confirm else {
            throw CommandFailure(
                """
                refusing to destroy key \(key.name) without --confirm.
                Destroying it deletes its keyset (\(keyset.type.rawValue), key ids \(ids)) from \
                \(location.vaultDirectory): every token sealed with key \(key.name) (sg1:\(key.name):…) becomes \
                unreadable for good, in the database, in its replicas and in every backup. Only a copy of the \
                keyset that survives elsewhere (an old vault backup with its KEK, or an export) could read them \
                again. This cannot be undone.
                To go ahead, run the same command with --confirm.
                """,
                exitCode: ExitCode(2)
            )
        }
        try await vault.destroy(key.name)
        try audit.record(AuditEvent(.keyDestroyed, key: key.name, keyset: keyset))
        print(
            "destroyed key \(key.name) (\(keyset.type.rawValue), key ids \(ids)): every token sealed with it "
                + "is now unreadable; delete old vault backups and exports of \(key.name) too, "
                + "or they could still read it"
        )
    }
}
