import ArgumentParser
import Foundation
import SealgateCrypto
import SealgateProxy

/// `sealgate keys rotate-kek --new-kek FILE`: rewraps every keyset with another local KEK; data is untouched.
struct KeysRotateKEKCommand: KeysSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-kek",
        abstract: "Re-encrypt every keyset with a new local KEK; the keys, and so the data, stay the same.",
        discussion:
            "Creates the new KEK file (mode 0600) if it does not exist. Afterwards, point the configuration to it."
    )

    @OptionGroup var options: KeyVaultOptions

    @Option(
        name: .customLong("new-kek"),
        help: ArgumentHelp("The new KEK file; created if it does not exist.", valueName: "file")
    )
    var newKEK: String

    func run(at location: KeyStoreLocation) async throws {
        let (vault, audit) = try location.openAudited()
        let newPath = KeyStoreLocation.absolute(newKEK)
        guard newPath != location.kekPath else {
            throw CommandFailure(
                "--new-kek \(newKEK) is the current KEK; name a new file",
                exitCode: ExitCode(2)
            )
        }
        let newProvider: LocalKeyEncryptionKey
        if FileManager.default.fileExists(atPath: newPath) {
            newProvider = try LocalKeyEncryptionKey(contentsOf: newPath)
        } else {
            newProvider = try KeysInitCommand.createKEK(at: newPath, audit: audit)
        }
        let names = try await vault.rewrap(to: newProvider).list()
        let event = AuditEvent(
            .kekRotated,
            keyID: newProvider.keyID,
            kek: newProvider.path,
            previousKEK: location.kekPath,
            keys: names
        )
        try audit.record(event)
        print(
            "rewrapped \(names.count) keysets (\(names.joined(separator: ", "))) with \(newProvider.path); "
                + "no data changed"
        )
        print(
            """
            now point \(location.kekSetting) to \(newProvider.path): the old KEK \(location.kekPath) no longer \
            opens this vault. Keep the old KEK until every sealgate using this vault has switched, and as long \
            as vault backups made before now must stay readable.
            """
        )
    }
}
