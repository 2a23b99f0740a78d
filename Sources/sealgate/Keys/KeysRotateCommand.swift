import ArgumentParser
import Foundation
import SealgateCertificates
import SealgateCrypto
import SealgateProxy

/// `sealgate keys rotate NAME [--rotation-period P]` adds a new primary key; older keys stay for decryption.
/// `sealgate keys rotate --due [--dry-run]` rotates every key name whose primary is older than its rotation period.
struct KeysRotateCommand: KeysSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Give a key name a new primary key; older keys stay and still decrypt.",
        discussion: """
            New values are encrypted with the new primary; existing tokens and backups stay readable. \
            --due rotates every key name whose primary has served its rotation period (see keys create \
            --rotation-period); it decides under the vault's lock, so several replicas or CronJob runs at once \
            rotate each key once. A key with a period whose primary's age is unknown counts as due. \
            Exit status: 0 when every due key rotated (or none was due), 1 if one could not be rotated.
            """
    )

    @OptionGroup var options: KeyVaultOptions

    @Argument(help: "The key name (not with --due).")
    var name: String?

    @Flag(help: "Rotate every key name whose primary is older than its rotation period.")
    var due = false

    @Flag(help: "With --due: list the key names that are due, change nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("With NAME: rotate from now on every period, such as 90d.", valueName: "period"))
    var rotationPeriod: RotationPeriod?

    func validate() throws {
        switch (name, due) {
        case (nil, false): throw ValidationError("name the key to rotate, or pass --due to rotate every key that is due")
        case (.some, true): throw ValidationError("pass either a key name or --due, not both")
        case (.some(let name), false) where !KeyVault.isValidKeyName(name):
            throw ValidationError(KeyNameArgument.rule(name))
        default: break
        }
        if dryRun, !due { throw ValidationError("--dry-run goes with --due") }
        if rotationPeriod != nil, due { throw ValidationError("--rotation-period goes with a key name, not --due") }
    }

    func run(at location: KeyStoreLocation) async throws {
        let (vault, audit) = try location.openAudited()
        guard let name else {
            try await rotateDue(vault, audit: audit)
            return
        }
        let previous = try await vault.load(name).primaryKeyID
        let keyset = try await vault.rotate(name, rotationPeriod: rotationPeriod?.duration)
        try audit.record(AuditEvent(.keyRotated, key: name, keyset: keyset, previousPrimaryKeyID: previous))
        let older = keyset.keys.filter { $0.id != keyset.primaryKeyID }.map { String($0.id) }
        print(
            "rotated key \(name) (\(keyset.type.rawValue)): "
                + "new primary key id \(keyset.primaryKeyID) (was \(previous))"
        )
        print("older keys stay for decryption: \(older.joined(separator: ", "))")
        if let period = try vault.rotationRecord(name).period {
            print("rotates every \(period.configurationText): `sealgate keys rotate --due` rotates it again then")
        }
        if keyset.type.isDeterministic {
            print(
                "note: equal values now get other \(name) tokens than before; an equality search must try "
                    + "one token per key id until `sealgate reencrypt` rewrites the old ones"
            )
        }
    }

    /// Rotates (or, dry, lists) every due key name, going on past a key that fails and naming it at the end.
    private func rotateDue(_ vault: KeyVault, audit: AuditLog) async throws {
        let now = Date()
        var rotated = 0
        var failed: [String] = []
        let names = try vault.list()
        for name in names {
            do {
                let keyset = try await vault.load(name)
                let record = try vault.rotationRecord(name)
                guard let period = record.period else {
                    print("key \(name): no rotation period")
                    continue
                }
                let age = record.primaryAge(of: keyset, at: now).map { String(format: "%.1fd", $0 / 86_400) } ?? "unknown"
                guard record.isDue(keyset, at: now) else {
                    let due = record.dueDate(of: keyset)?.rfc3339 ?? "never"
                    print("key \(name): not due (primary \(age) old, rotates every \(period.configurationText), due \(due))")
                    continue
                }
                if dryRun {
                    print("key \(name): due (primary \(age) old, rotates every \(period.configurationText)): would rotate")
                    rotated += 1
                    continue
                }
                // Decided again under the lock: another replica may have rotated it meanwhile.
                guard let updated = try await vault.rotateIfDue(name, at: now) else {
                    print("key \(name): rotated meanwhile by another process")
                    continue
                }
                try audit.record(AuditEvent(.keyRotated, key: name, keyset: updated, previousPrimaryKeyID: keyset.primaryKeyID))
                print(
                    "key \(name): rotated (primary was \(age) old, rotates every \(period.configurationText)): "
                        + "new primary key id \(updated.primaryKeyID) (was \(keyset.primaryKeyID))"
                )
                rotated += 1
            } catch {
                print("key \(name): FAILED: \(ErrorText.describe(error))")
                failed.append(name)
            }
        }
        print("\(dryRun ? "would rotate" : "rotated") \(rotated) of \(names.count) keys")
        guard failed.isEmpty else {
            throw CommandFailure("could not check or rotate \(failed.count) keys: \(failed.joined(separator: ", "))")
        }
    }
}
