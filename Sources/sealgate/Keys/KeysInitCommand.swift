import ArgumentParser
import Foundation
import SealgateCrypto
import SealgateProxy

/// `sealgate keys init`: creates the local KEK and the vault directory.
struct KeysInitCommand: KeysSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the local KEK (mode 0600) and the vault directory (mode 0700).",
        discussion: "Never overwrites a KEK. Back the KEK up apart from the data: losing it loses all encrypted data."
    )

    @OptionGroup var options: KeyVaultOptions

    func run(at location: KeyStoreLocation) async throws {
        let audit = try location.openAuditLog()
        guard !FileManager.default.fileExists(atPath: location.kekPath) else {
            throw CommandFailure(
                "the KEK file \(location.kekPath) already exists; keys init never replaces a KEK, "
                    + "since every key wrapped by it would become unreadable"
            )
        }
        let vaultExisted = location.vaultExists
        try KeyVault.createDirectory(at: location.vaultDirectory)
        print(
            vaultExisted
                ? "vault directory \(location.vaultDirectory) already exists; left as it is"
                : "created vault directory \(location.vaultDirectory) (mode 0700)"
        )
        try Self.createKEK(at: location.kekPath, audit: audit)
    }

    /// Creates a local KEK file, audits it, and says to back it up.
    @discardableResult
    static func createKEK(at path: String, audit: AuditLog) throws -> LocalKeyEncryptionKey {
        let kek = try LocalKeyEncryptionKey.create(at: path)
        try audit.record(AuditEvent(.kekCreated, keyID: kek.keyID, kek: kek.path))
        print("created KEK \(kek.path) (local provider, key id \(kek.keyID), mode 0600)")
        printToStandardError(
            "warning: back up \(kek.path) now, somewhere safe and apart from the vault and the data: "
                + "it wraps every key in the vault, so losing it loses all data encrypted with them"
        )
        return kek
    }
}
