import ArgumentParser
import SealgateCertificates
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

    @Option(
        help: ArgumentHelp(
            "Rotate every period, such as 90d: `sealgate keys rotate --due` gives the key a new primary then.",
            valueName: "period"
        )
    )
    var rotationPeriod: RotationPeriod?

    func run(at location: KeyStoreLocation) async throws {
        let keyset = try await location.addKey(
            key.name,
            event: .keyCreated,
            advice: "create never replaces a key (`sealgate keys rotate \(key.name)` adds a new primary)"
        ) { vault in
            try await vault.create(key.name, type: type, rotationPeriod: rotationPeriod?.duration)
        }
        print(
            "created key \(key.name) (\(type.rawValue), key id \(keyset.primaryKeyID)) "
                + "in \(location.vaultDirectory)"
        )
        if let period = rotationPeriod?.duration {
            print("rotates every \(period.configurationText): run `sealgate keys rotate --due` daily (a cron job) to rotate it when due")
        }
    }
}
