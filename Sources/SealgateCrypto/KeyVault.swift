#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A directory of keysets, `<vault>/<name>.json` each, in Tink's encrypted keyset JSON format under a KEK.
///
/// A Tink user holding the KEK reads each file with `KeysetHandle.read(JsonKeysetReader, kekAead)`. Writes are
/// mode 0600 and atomic (temporary file, fsync, rename, directory fsync) under an exclusive `flock` on
/// `<vault>/.lock`, so concurrent writers (two CLI invocations) serialize and readers never see a partial file.
public struct KeyVault: Sendable {
    /// The vault directory.
    public let directory: String
    /// The KEK that wraps every keyset.
    public let provider: any KeyEncryptionKeyProvider

    /// Creates a vault over a directory; nothing is read or written yet.
    /// - Parameters:
    ///   - directory: The vault directory.
    ///   - provider: The KEK that wraps every keyset.
    public init(directory: String, provider: any KeyEncryptionKeyProvider) {
        self.directory = directory
        self.provider = provider
    }

    /// Whether `name` is a valid key name: `[a-z0-9][a-z0-9._-]{0,62}`.
    /// - Parameters:
    ///   - name: A key name.
    public static func isValidKeyName(_ name: some StringProtocol) -> Bool {
        let utf8 = name.utf8
        return (1...63).contains(utf8.count)
            && utf8.enumerated().allSatisfy { index, byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
                case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"): index > 0
                default: false
                }
            }
    }

    /// The message for an invalid key name.
    static func keyNameRule(_ name: String) -> String {
        "invalid key name \"\(name)\": use 1 to 63 of a-z 0-9 . _ - starting with a letter or digit"
    }

    /// Creates a vault directory (mode 0700) if it does not exist, as `keys init` does before creating the KEK.
    /// - Parameters:
    ///   - directory: The vault directory; its parent must exist.
    public static func createDirectory(at directory: String) throws {
        try SecureFile.createDirectory(directory)
    }

    /// The key names in the vault, sorted: the `<name>.json` files that hold Tink encrypted keyset JSON.
    /// Other files, such as a local KEK file kept in the vault directory, are not keys.
    public func list() throws -> [String] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw SealgateCryptoError(.fileSystem, "cannot list the vault \(directory)")
        }
        return try files.compactMap { file in
            guard file.hasSuffix(".json") else { return nil }
            let name = String(file.dropLast(".json".count))
            return try Self.isValidKeyName(name) && isKey(path(name)) ? name : nil
        }.sorted()
    }

    /// Whether the file holds Tink encrypted keyset JSON.
    private func isKey(_ path: String) throws -> Bool {
        guard let json = try SecureFile.readFile(path, requirePrivate: false) else {
            return false
        }
        return (try? TinkJSON.decode(EncryptedKeysetMessage.self, from: json, what: path)) != nil
    }

    /// Loads and decrypts a keyset.
    /// - Parameters:
    ///   - name: The key name.
    /// - Returns: The keyset; its primary is the decrypted keyset's.
    /// - Throws: ``SealgateCryptoError/Code/keyNotFound``, ``SealgateCryptoError/Code/authenticationFailure``
    ///   (another KEK), ``SealgateCryptoError/Code/invalidKeyset`` and others.
    public func load(_ name: String) async throws -> Keyset {
        let path = try self.path(name)
        guard let json = try SecureFile.readFile(path, requirePrivate: false) else {
            throw SealgateCryptoError(.keyNotFound, "the vault \(directory) has no key \(name)")
        }
        return try await Keyset.decrypt(encryptedJSON: json, with: provider, associatedData: provider.keysetAssociatedData(name: name), what: path)
    }

    /// Creates a keyset with one new key.
    /// - Parameters:
    ///   - name: The new key name.
    ///   - type: The key type.
    ///   - rotationPeriod: How long a primary serves before ``rotateIfDue(_:at:)`` replaces it; nil for no
    ///     schedule.
    ///   - now: When the key is added, for its ``KeyRotationRecord``.
    /// - Returns: The new keyset.
    /// - Throws: ``SealgateCryptoError/Code/keyAlreadyExists`` if the name is taken.
    @discardableResult
    public func create(_ name: String, type: KeyType, rotationPeriod: Duration? = nil, at now: Date = Date()) async throws -> Keyset {
        let keyset = Keyset.generate(type)
        try await store(keyset, as: name, replacing: false) {
            try writeRotationRecord(KeyRotationRecord(period: rotationPeriod, added: [keyset.primaryKeyID: now]), of: name)
        }
        return keyset
    }

    /// Adds a new primary key to a keyset; older keys stay for decryption.
    /// - Parameters:
    ///   - name: The key name.
    ///   - rotationPeriod: A new rotation period, or nil to keep the key name's.
    ///   - now: When the key is added, for the ``KeyRotationRecord``.
    /// - Returns: The rotated keyset.
    @discardableResult
    public func rotate(_ name: String, rotationPeriod: Duration? = nil, at now: Date = Date()) async throws -> Keyset {
        try await SecureFile.withExclusiveLock(in: directory) {
            try await rotateHoldingLock(try await load(name), as: name, rotationPeriod: rotationPeriod, at: now)
        }
    }

    /// Rotates a key name if its primary is due (see ``KeyRotationRecord/isDue(_:at:)``), deciding under the vault's
    /// lock, so that several processes running this at once rotate it once.
    /// - Parameters:
    ///   - name: The key name.
    ///   - now: The time to judge by, and the new key's addition time.
    /// - Returns: The rotated keyset, or nil if the key name was not due.
    public func rotateIfDue(_ name: String, at now: Date = Date()) async throws -> Keyset? {
        try await SecureFile.withExclusiveLock(in: directory) {
            let keyset = try await load(name)
            guard try rotationRecord(name).isDue(keyset, at: now) else { return nil }
            return try await rotateHoldingLock(keyset, as: name, rotationPeriod: nil, at: now)
        }
    }

    /// The rotation record of a key name; an empty one (no schedule, no known times) if it has none.
    /// - Throws: ``SealgateCryptoError/Code/invalidKeyset`` if the record file is malformed.
    public func rotationRecord(_ name: String) throws -> KeyRotationRecord {
        let path = try rotationRecordPath(name)
        guard let json = try SecureFile.readFile(path, requirePrivate: false) else { return KeyRotationRecord() }
        do {
            return try JSONDecoder().decode(KeyRotationRecord.self, from: Data(json))
        } catch {
            throw SealgateCryptoError(.invalidKeyset, "the rotation record \(path) is invalid: \(error)")
        }
    }

    /// Writes the new primary, then records its addition: a failure in between leaves a primary of unknown age,
    /// which counts as due, so the schedule errs towards rotating.
    private func rotateHoldingLock(_ keyset: Keyset, as name: String, rotationPeriod: Duration?, at now: Date) async throws -> Keyset {
        var keyset = keyset
        var record = try rotationRecord(name)
        let id = keyset.rotate()
        try SecureFile.writeFile(Array(try await encryptedJSON(keyset, as: name, with: provider).utf8), to: try path(name), replacing: true)
        record.added[id] = now
        if let rotationPeriod { record.period = rotationPeriod }
        try writeRotationRecord(record, of: name)
        return keyset
    }

    private func writeRotationRecord(_ record: KeyRotationRecord, of name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Encoding integers and strings cannot fail.
        let json = (try? encoder.encode(record)) ?? Data()
        try SecureFile.writeFile(Array(json) + [0x0A], to: try rotationRecordPath(name), replacing: true)
    }

    /// Deletes a keyset, which crypto-shreds every value sealed with it.
    /// - Parameters:
    ///   - name: The key name.
    /// - Throws: ``SealgateCryptoError/Code/keyNotFound`` if there is no such key; a file that is not an encrypted
    ///   keyset, such as a KEK file, is never deleted.
    public func destroy(_ name: String) async throws {
        let path = try path(name)
        try await SecureFile.withExclusiveLock(in: directory) {
            guard try isKey(path), try SecureFile.removeFile(path) else {
                throw SealgateCryptoError(.keyNotFound, "the vault \(directory) has no key \(name)")
            }
            _ = try SecureFile.removeFile(try rotationRecordPath(name))
        }
    }

    /// Re-encrypts every keyset under a new KEK; the keys, and so the data, stay the same.
    ///
    /// Every keyset is decrypted before the first is written, so a vault that does not fully open under the
    /// current KEK is left untouched. Keep the old KEK until this returns.
    /// - Parameters:
    ///   - newProvider: The new KEK.
    /// - Returns: The vault under the new KEK.
    public func rewrap(to newProvider: any KeyEncryptionKeyProvider) async throws -> KeyVault {
        let rewrapped = KeyVault(directory: directory, provider: newProvider)
        try await SecureFile.withExclusiveLock(in: directory) {
            var keysets: [(name: String, keyset: Keyset)] = []
            for name in try list() {
                keysets.append((name, try await load(name)))
            }
            for (name, keyset) in keysets {
                let json = try await encryptedJSON(keyset, as: name, with: newProvider)
                try SecureFile.writeFile(Array(json.utf8), to: try rewrapped.path(name), replacing: true)
            }
        }
        return rewrapped
    }

    /// Stores a keyset given in Tink's cleartext JSON under a new name.
    /// - Parameters:
    ///   - name: The new key name.
    ///   - json: A Tink cleartext JSON keyset.
    /// - Returns: The imported keyset.
    /// - Throws: ``SealgateCryptoError/Code/keyAlreadyExists`` if the name is taken,
    ///   ``SealgateCryptoError/Code/invalidKeyset`` if the JSON is not a usable keyset.
    @discardableResult
    public func importCleartext(_ name: String, json: some DataProtocol) async throws -> Keyset {
        let keyset = try Keyset(cleartextJSON: json)
        try await store(keyset, as: name, replacing: false)
        return keyset
    }

    /// A keyset in Tink's cleartext JSON; the result contains the secret key material.
    /// - Parameters:
    ///   - name: The key name.
    public func exportCleartext(_ name: String) async throws -> String {
        try await load(name).cleartextJSON()
    }

    private func store(_ keyset: Keyset, as name: String, replacing: Bool, then record: () throws -> Void = {}) async throws {
        let path = try path(name)
        let json = try await encryptedJSON(keyset, as: name, with: provider)
        try await SecureFile.withExclusiveLock(in: directory) {
            try SecureFile.writeFile(Array(json.utf8), to: path, replacing: replacing)
            try record()
        }
    }

    private func encryptedJSON(_ keyset: Keyset, as name: String, with provider: any KeyEncryptionKeyProvider) async throws -> String {
        try await keyset.encryptedJSON(with: provider, associatedData: provider.keysetAssociatedData(name: name))
    }

    private func path(_ name: String) throws -> String {
        guard Self.isValidKeyName(name) else {
            throw SealgateCryptoError(.invalidKeyName, Self.keyNameRule(name))
        }
        return "\(directory)/\(name).json"
    }

    /// `<vault>/<name>.rotation.json`; not a key file, since it holds no encrypted keyset.
    private func rotationRecordPath(_ name: String) throws -> String {
        _ = try path(name)
        return "\(directory)/\(name).rotation.json"
    }
}
