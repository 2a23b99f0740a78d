import ArgumentParser
import Foundation
import SealgateCrypto
import SealgateProxy

/// `sealgate keys rotate-kek --new-kek FILE | --to CONFIG | --rewrap`: rewraps every keyset with another KEK, or with the
/// current KEK's newest version; data is untouched.
struct KeysRotateKEKCommand: KeysSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-kek",
        abstract: "Re-encrypt every keyset with another KEK (local, a KMS key or an HSM key); the keys, and so the data, stay the same.",
        discussion: """
            --new-kek FILE moves to a local KEK file, created (mode 0600) if it does not exist. --to CONFIG moves \
            to the KEK of another configuration file's keys.kek (local, aws-kms, pkcs11 or vault-transit), for the same vault: local to \
            KMS or HSM and back. Afterwards, point the configuration to the new KEK. --rewrap re-encrypts every keyset \
            with the current KEK as it is now: after `vault write -f transit/keys/NAME/rotate`, the keysets are \
            wrapped by the newest Transit key version, and older versions can be retired with min_decryption_version.
            """
    )

    @OptionGroup var options: KeyVaultOptions

    @Option(
        name: .customLong("new-kek"),
        help: ArgumentHelp("A new local KEK file; created if it does not exist.", valueName: "file")
    )
    var newKEK: String?

    @Option(
        name: .customLong("to"),
        help: ArgumentHelp("A configuration file whose keys.kek is the new KEK.", valueName: "config")
    )
    var target: String?

    @Flag(help: "Rewrap every keyset with the current KEK's newest version (after rotating a Vault Transit or KMS key).")
    var rewrap = false

    func validate() throws {
        guard [self.newKEK != nil, self.target != nil, self.rewrap].filter({ $0 }).count == 1 else {
            throw ValidationError("name the new KEK with either --new-kek FILE or --to CONFIG, or pass --rewrap to rewrap with the current one")
        }
    }

    func run(at location: KeyStoreLocation) async throws {
        let (vault, audit) = try location.openAudited()
        if self.rewrap {
            let names = try await vault.rewrap(to: vault.provider).list()
            try audit.record(AuditEvent(.kekRewrapped, kek: location.kek.description, keys: names))
            print("rewrapped \(names.count) keysets (\(names.joined(separator: ", "))) with the current \(location.kek); no data changed")
            return
        }
        let newKEK = try self.newKEKSettings(for: location)
        guard newKEK != location.kek else {
            throw CommandFailure("the new KEK \(newKEK) is the current one; name another", exitCode: ExitCode(2))
        }
        let newProvider: any KeyEncryptionKeyProvider
        if case .local(let path) = newKEK, !FileManager.default.fileExists(atPath: path) {
            newProvider = try KeysInitCommand.createKEK(at: path, audit: audit)
        } else {
            newProvider = try newKEK.provider()
            try await KeysInitCommand.probe(newProvider)
        }
        let names = try await vault.rewrap(to: newProvider).list()
        let event = AuditEvent(
            .kekRotated,
            keyID: (newProvider as? LocalKeyEncryptionKey)?.keyID,
            kek: newKEK.description,
            previousKEK: location.kek.description,
            keys: names
        )
        try audit.record(event)
        print("rewrapped \(names.count) keysets (\(names.joined(separator: ", "))) with \(newKEK); no data changed")
        let next = self.target.map { "switch sealgate to \($0)'s keys.kek" } ?? "point \(location.kekSetting) to \(newKEK)"
        print(
            """
            now \(next): the old KEK \(location.kek) no longer opens this vault. Keep the old KEK until every \
            sealgate using this vault has switched, and as long as vault backups made before now must stay readable.
            """
        )
    }

    /// The KEK that `--new-kek` or `--to` names; `--to` must name the same vault.
    private func newKEKSettings(for location: KeyStoreLocation) throws -> KEKSettings {
        if let newKEK {
            return .local(path: KeyStoreLocation.absolute(newKEK))
        }
        let target = self.target ?? ""
        // The same normalization as the current location's, so that the two compare.
        let settings = try ConfigFile.loadKeys(path: target).keys
        let other = KeyStoreLocation(vaultDirectory: settings.vaultPath, kek: settings.kek, audit: .standardError, configFile: target)
        guard other.vaultDirectory == location.vaultDirectory else {
            throw CommandFailure(
                "--to \(target): its keys.vault is \(other.vaultDirectory), not \(location.vaultDirectory); "
                    + "rotate-kek rewraps one vault in place",
                exitCode: ExitCode(2)
            )
        }
        return other.kek
    }
}
