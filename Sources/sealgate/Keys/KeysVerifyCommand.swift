import ArgumentParser
import Foundation
import SealgateCertificates
import SealgateCrypto
import SealgateProxy

/// `sealgate keys verify [--sample FILE --route PATH]`: the recovery drill. Unwraps every keyset with the configured
/// KEK, seals and opens a canary with every enabled key version and, with a sample of stored documents, opens every
/// token at the route's rule paths; exits 0 only if nothing failed.
struct KeysVerifyCommand: KeysSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that every key opens: the drill to run after restoring a vault backup, or in CI.",
        discussion: """
            Every keyset in the vault is unwrapped with the configured KEK and every enabled key version seals and \
            opens a canary. With --sample FILE (a JSON document, or NDJSON with --ndjson, as stored by the backend) \
            and --route PATH (with --config), every token at the rule paths of the route matching PATH must open. \
            Prints per key its versions, primary age and rotation schedule, and how many sample tokens each version \
            opened. Exit status: 0 if nothing failed; 1 if a keyset does not open (corrupt, another KEK), a version \
            fails its canary, or a sample token does not open (such as one under a destroyed key), naming the key; \
            2 for configuration errors. Nothing is written.
            """
    )

    @OptionGroup var options: KeyVaultOptions

    @Option(help: ArgumentHelp("Stored documents whose tokens must open (needs --route and --config).", valueName: "file"))
    var sample: String?

    @Option(help: ArgumentHelp("The request path whose route's rules locate the sample's tokens.", valueName: "path"))
    var route: String?

    @Flag(help: "The sample is NDJSON: one document per line.")
    var ndjson = false

    @Flag(help: "Print JSON, a stable format for scripts.")
    var json = false

    func validate() throws {
        switch (sample, route) {
        case (.some, .none): throw ValidationError("--sample FILE needs --route PATH: its route's rules say where the tokens are")
        case (.none, .some): throw ValidationError("--route PATH goes with --sample FILE")
        case (.some, .some(let route)) where !route.hasPrefix("/"):
            throw ValidationError("--route takes a request path starting with '/'")
        case (.some, .some) where options.config == nil:
            throw ValidationError("--sample needs --config FILE, whose routes hold the rules")
        default: return
        }
    }

    func run(at location: KeyStoreLocation) async throws {
        let vault = try location.openVault()
        let now = Date()
        var keys: [KeyVerification.Key] = []
        var ciphers: [String: FieldCipher] = [:]
        var keysets: [String: Keyset] = [:]
        for name in try Self.keyFiles(in: location.vaultDirectory) {
            var key = KeyVerification.Key(name: name)
            do {
                let keyset = try await vault.load(name)
                keysets[name] = keyset
                ciphers[name] = try FieldCipher(keyName: name, keyset: keyset)
                key.type = keyset.type.rawValue
                Self.describe(keyset, record: try? vault.rotationRecord(name), at: now, into: &key)
            } catch {
                key.error = "cannot unwrap the keyset: \(ErrorText.describe(error))"
            }
            keys.append(key)
        }
        var report = KeyVerification(vault: location.vaultDirectory, keys: keys)
        if let sample, let route, let config = options.config {
            let (_, match) = try FieldRulesOptions.ruleRoute(matching: route, in: config)
            var check = SampleTokenCheck(rules: match.fieldRules, ciphers: ciphers)
            try Self.read(sample, ndjson: ndjson) { try check.check(document: $0) }
            report.merge(check, keysets: keysets, file: sample, route: match.name)
        }
        print(json ? report.json() : report.text())
        guard report.passed else { throw ExitCode(1) }
    }

    /// The `<name>.json` files of the vault that claim to be keys, including those that do not decrypt or parse, so
    /// that a corrupt keyset is reported rather than skipped.
    private static func keyFiles(in directory: String) throws -> [String] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw CommandFailure("cannot list the vault \(directory)")
        }
        return files.compactMap { file in
            guard file.hasSuffix(".json"), !file.hasSuffix(".rotation.json") else { return nil }
            let name = String(file.dropLast(".json".count))
            return KeyVault.isValidKeyName(name) ? name : nil
        }.sorted()
    }

    private static func describe(_ keyset: Keyset, record: KeyRotationRecord?, at now: Date, into key: inout KeyVerification.Key) {
        key.primaryKeyID = keyset.primaryKeyID
        if let added = record?.added[keyset.primaryKeyID] {
            key.primaryAdded = added.rfc3339
            key.primaryAgeSeconds = Int(now.timeIntervalSince(added))
        }
        if let record, let period = record.period, let due = record.dueDate(of: keyset) {
            key.rotationPeriodSeconds = period.components.seconds
            key.rotationDue = due == .distantPast ? "now (primary of unknown age)" : due.rfc3339
        }
        key.versions = keyset.checkKeys().map { check in
            KeyVerification.Version(
                keyID: check.keyID,
                status: check.status.rawValue.lowercased(),
                primary: check.keyID == keyset.primaryKeyID,
                canary: check.status != .enabled ? "not_checked" : check.failure == nil ? "ok" : "failed",
                failure: check.failure,
                sampleTokensOpened: 0,
                sampleTokensFailed: 0
            )
        }
    }

    /// Reads the sample as one document or as NDJSON lines, naming the line of a document that is not JSON.
    private static func read(_ path: String, ndjson: Bool, _ body: ([UInt8]) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CommandFailure("cannot read the sample \(path)", exitCode: ExitCode(2))
        }
        defer { try? handle.close() }
        guard ndjson else {
            do {
                try body(Array(try handle.readToEnd() ?? Data()))
            } catch {
                throw CommandFailure("the sample \(path): \(ErrorText.describe(error)) (NDJSON? pass --ndjson)")
            }
            return
        }
        var reader = LineReader(handle)
        var number = 0
        while let (line, _) = try reader.next() {
            number += 1
            do {
                try body(line)
            } catch {
                throw CommandFailure("the sample \(path), line \(number): \(ErrorText.describe(error))")
            }
        }
    }
}
