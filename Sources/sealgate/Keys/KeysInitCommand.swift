import ArgumentParser
import Foundation
import SealgateCrypto
import SealgateKeyProviders
import SealgateProxy

/// `sealgate keys init`: creates the vault directory and the local KEK or HSM key, or checks a KMS key.
struct KeysInitCommand: KeysSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the vault directory (mode 0700) and the local KEK (mode 0600) or HSM key, or check the KMS key.",
        discussion: """
            Never overwrites a KEK. Back a local KEK up apart from the data: losing it loses all encrypted data. \
            With an aws-kms KEK, the key must exist; with a pkcs11 KEK, init creates the key in the token if it is \
            missing (AES-256, sensitive, not extractable). Either is then checked by wrapping and unwrapping a \
            test value.
            """
    )

    @OptionGroup var options: KeyVaultOptions

    func run(at location: KeyStoreLocation) async throws {
        let audit = try location.openAuditLog()
        if case .local(let path) = location.kek, FileManager.default.fileExists(atPath: path) {
            throw CommandFailure(
                "the KEK file \(path) already exists; keys init never replaces a KEK, "
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
        switch location.kek {
        case .local(let path):
            try Self.createKEK(at: path, audit: audit)
        case .awsKMS, .vaultTransit:
            let provider = try location.kek.provider()
            try await Self.probe(provider)
            print("checked \(provider): it wraps and unwraps; keys created in this vault are wrapped by it")
        case .pkcs11:
            guard let provider = try location.kek.provider() as? PKCS11KeyEncryptionKey else { return }
            if try provider.createKeyIfMissing() {
                try audit.record(AuditEvent(.kekCreated, kek: location.kek.description))
                print("created \(provider): AES-256, sensitive and not extractable, in the token")
            }
            try await Self.probe(provider)
            print("checked \(provider): it wraps and unwraps; keys created in this vault are wrapped by it")
        }
    }

    /// Wraps and unwraps a random value, to show that a KEK is usable before anything depends on it.
    static func probe(_ provider: any KeyEncryptionKeyProvider) async throws {
        let value = RandomBytes.bytes(32)
        guard try await provider.decrypt(try await provider.encrypt(value, associatedData: []), associatedData: []) == value else {
            throw CommandFailure("\(provider) did not give back what it wrapped")
        }
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
