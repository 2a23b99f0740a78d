import ArgumentParser
import SealgateCrypto
import SealgateProxy

/// `sealgate keys export NAME --insecure-cleartext`: prints a keyset as Tink cleartext JSON.
struct KeysExportCommand: KeysSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print a keyset in Tink's cleartext JSON keyset format (secret key material!).",
        discussion: "For interoperability with Tink and tinkey; `sealgate keys import` reads the same format."
    )

    @OptionGroup var options: KeyVaultOptions
    @OptionGroup var key: KeyNameArgument

    @Flag(help: "Acknowledge that the output is the secret key material in cleartext.")
    var insecureCleartext = false

    func run(at location: KeyStoreLocation) async throws {
        guard insecureCleartext else {
            throw CommandFailure(
                """
                refusing to export key \(key.name) without --insecure-cleartext.
                The output is the secret key material in cleartext: whoever sees it (a terminal's scrollback, a CI \
                log, a file left readable) can decrypt every \(key.name) token, and destroying the key no longer \
                shreds anything while a copy exists. If you need it (to use the key with Tink), pass \
                --insecure-cleartext and send the output straight to a protected place.
                """,
                exitCode: ExitCode(2)
            )
        }
        let (vault, audit) = try location.openAudited()
        let keyset = try await vault.load(key.name)
        print(keyset.cleartextJSON())
        try audit.record(AuditEvent(.keyExported, key: key.name, keyset: keyset))
    }
}
