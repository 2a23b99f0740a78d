import ArgumentParser
import SealgateProxy

/// Where a key command finds the keys: `--config FILE`, or `--vault DIR --kek FILE` for the local KEK provider.
struct KeyVaultOptions: ParsableArguments {
    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "The configuration file; its keys.vault, keys.kek and log.audit are used.",
            valueName: "file"
        )
    )
    var config: String?

    @Option(help: ArgumentHelp("The key vault directory (with --kek, instead of --config).", valueName: "dir"))
    var vault: String?

    @Option(
        help: ArgumentHelp("The local KEK file: a cleartext Tink keyset, mode 0600 (with --vault).", valueName: "file")
    )
    var kek: String?

    @Option(
        help: ArgumentHelp(
            "Append audit events to this file instead of standard error (with --vault and --kek).",
            valueName: "file"
        )
    )
    var audit: String?

    func validate() throws {
        switch (config != nil, vault != nil, kek != nil) {
        case (true, false, false) where audit != nil:
            throw ValidationError(
                "--audit goes with --vault and --kek; with --config, set log.audit in the configuration file"
            )
        case (true, false, false), (false, true, true):
            return
        case (true, _, _):
            throw ValidationError("pass either --config FILE or --vault DIR --kek FILE, not both")
        case (false, true, false):
            throw ValidationError("--vault DIR needs --kek FILE, the local KEK file (or pass --config FILE instead)")
        case (false, false, true):
            throw ValidationError(
                "--kek FILE needs --vault DIR, the key vault directory (or pass --config FILE instead)"
            )
        case (false, false, false):
            throw ValidationError(Self.missingLocation)
        }
    }

    private static let missingLocation =
        "say where the keys are: --config FILE (its keys section), or --vault DIR --kek FILE for a local KEK"

    /// The vault, KEK and audit log these options name; with `--config`, read from the file's `keys` section.
    /// - Throws: ``ConfigErrors`` if the configuration file's `keys` section is missing or wrong.
    func location() throws -> KeyStoreLocation {
        if let config {
            let settings = try ConfigFile.loadKeys(path: config)
            return KeyStoreLocation(
                vaultDirectory: settings.keys.vaultPath,
                kek: settings.keys.kek,
                audit: AuditLog.Destination(configured: settings.audit),
                configFile: config
            )
        }
        guard let vault, let kek else {
            throw CommandFailure(Self.missingLocation, exitCode: ExitCode(2))
        }
        return KeyStoreLocation(
            vaultDirectory: vault,
            kek: .local(path: kek),
            audit: audit.map { .file($0) } ?? .standardError,
            configFile: nil
        )
    }
}
