import Foundation
import SealgateCrypto
import SealgateProxy

/// The vault directory, its KEK and the audit log destination a key command works with.
struct KeyStoreLocation {
    /// The vault directory, an absolute path.
    var vaultDirectory: String
    /// The KEK; a local KEK file has an absolute path.
    var kek: KEKSettings
    var audit: AuditLog.Destination
    /// The configuration file the location was read from, or nil for `--vault`/`--kek`.
    var configFile: String?

    /// Makes every path absolute, so that messages and audit events name files unambiguously.
    init(vaultDirectory: String, kek: KEKSettings, audit: AuditLog.Destination, configFile: String?) {
        self.vaultDirectory = Self.absolute(vaultDirectory)
        if case .local(let path) = kek {
            self.kek = .local(path: Self.absolute(path))
        } else {
            self.kek = kek
        }
        if case .file(let path) = audit {
            self.audit = .file(Self.absolute(path))
        } else {
            self.audit = audit
        }
        self.configFile = configFile
    }

    /// A path made absolute against the working directory, without `.` and `..` segments.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// How the user names the vault: `--vault` or `keys.vault in <file>`.
    var vaultSetting: String {
        configFile.map { "keys.vault in \($0)" } ?? "--vault"
    }

    /// How the user names the KEK: `--kek`, `keys.kek.path in <file>` or `keys.kek in <file>`.
    var kekSetting: String {
        guard let configFile else { return "--kek" }
        if case .local = kek { return "keys.kek.path in \(configFile)" }
        return "keys.kek in \(configFile)"
    }

    /// Whether the vault directory exists.
    var vaultExists: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: vaultDirectory, isDirectory: &isDirectory)
            && isDirectory.boolValue
    }

    /// The vault under its KEK.
    /// - Throws: ``CommandFailure`` if the vault or the KEK does not exist, or ``SealgateCryptoError`` if the
    ///   KEK is unusable (such as readable by group or others).
    func openVault() throws -> KeyVault {
        guard vaultExists else {
            throw CommandFailure(
                "the vault directory \(vaultDirectory) does not exist: "
                    + "run `sealgate keys init`, or check \(vaultSetting)"
            )
        }
        if case .local(let path) = kek, !FileManager.default.fileExists(atPath: path) {
            throw CommandFailure(
                "the KEK file \(path) does not exist: run `sealgate keys init`, or check \(kekSetting)"
            )
        }
        return KeyVault(directory: vaultDirectory, provider: try kek.provider())
    }

    /// The vault under its KEK and the audit log, for commands that change or export keys; the audit log is
    /// opened first, so that nothing happens that cannot be audited.
    func openAudited() throws -> (KeyVault, AuditLog) {
        let audit = try openAuditLog()
        return (try openVault(), audit)
    }

    /// Stores a new key name that `make` creates in the vault, then audits `event`.
    /// - Parameters:
    ///   - advice: What to do instead when the name is taken, for the refusal.
    func addKey(
        _ name: String,
        event: AuditEvent.Name,
        advice: String,
        _ make: (KeyVault) async throws -> Keyset
    ) async throws -> Keyset {
        let (vault, audit) = try openAudited()
        let keyset: Keyset
        do {
            keyset = try await make(vault)
        } catch let error as SealgateCryptoError where error.code == .keyAlreadyExists {
            throw CommandFailure("the vault \(vaultDirectory) already has a key \(name); \(advice)")
        }
        try audit.record(AuditEvent(event, key: name, keyset: keyset))
        return keyset
    }

    /// The audit log, as `sealgate keys`.
    func openAuditLog() throws(AuditLogError) -> AuditLog {
        try AuditLog(destination: audit, tool: "sealgate keys")
    }
}
