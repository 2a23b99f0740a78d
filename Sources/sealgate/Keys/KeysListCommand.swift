import ArgumentParser
import SealgateCrypto

/// `sealgate keys list [--json]`: every key name with its type, key ids, primary and statuses.
struct KeysListCommand: KeysSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the key names with their type, key ids, primary key and key statuses.",
        discussion: """
            --json prints {"keys": [{"name", "type", "primary_key_id", "keys": [{"key_id", "status", "primary"}]}]} \
            with key ids as unsigned 32-bit numbers and status one of enabled, disabled, destroyed.
            """
    )

    @OptionGroup var options: KeyVaultOptions

    @Flag(help: "Print JSON, a stable format for scripts.")
    var json = false

    func run(at location: KeyStoreLocation) async throws {
        let vault = try location.openVault()
        var keysets: [(name: String, keyset: Keyset)] = []
        for name in try vault.list() {
            keysets.append((name, try await vault.load(name)))
        }
        let listing = KeyListing(keysets)
        print(json ? listing.json() : listing.table(vault: location.vaultDirectory))
    }
}
