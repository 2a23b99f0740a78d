import ArgumentParser
import SealgateCrypto

/// `sealgate keys list [--json]`: every key name with its type, key ids, primary and statuses.
struct KeysListCommand: KeysSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the key names with their type, key ids, primary key and key statuses.",
        discussion: """
            --json prints {"keys": [{"name", "type", "primary_key_id", "rotation_period_seconds", "rotation_due", \
            "keys": [{"key_id", "status", "primary", "added"}]}]} with key ids as unsigned 32-bit numbers, status one \
            of enabled, disabled, destroyed, times in RFC 3339 UTC; the rotation members only for keys with a \
            rotation period, added only where known.
            """
    )

    @OptionGroup var options: KeyVaultOptions

    @Flag(help: "Print JSON, a stable format for scripts.")
    var json = false

    func run(at location: KeyStoreLocation) async throws {
        let vault = try location.openVault()
        var keysets: [(name: String, keyset: Keyset, rotation: KeyRotationRecord)] = []
        for name in try vault.list() {
            keysets.append((name, try await vault.load(name), try vault.rotationRecord(name)))
        }
        let listing = KeyListing(keysets)
        print(json ? listing.json() : listing.table(vault: location.vaultDirectory))
    }
}
