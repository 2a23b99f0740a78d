import Foundation
import Testing

@testable import SealgateCrypto

/// Rotation periods, the rotation record beside each keyset, due rotation under the vault's lock, and the canary
/// check of `keys verify`.
@Suite struct KeyRotationTests {
    static let day = Duration.seconds(86_400)

    @Test func createRecordsTheScheduleBesideTheKeyset() async throws {
        try await withTemporaryDirectory { directory in
            let vault = KeyVault(directory: directory, provider: try LocalKeyEncryptionKey.create(at: "\(directory)/kek.json"))
            let created = Date(timeIntervalSince1970: 1_800_000_000)
            let keyset = try await vault.create("pii", type: .aes256GCM, rotationPeriod: Self.day * 90, at: created)
            let record = try vault.rotationRecord("pii")
            #expect(record == KeyRotationRecord(period: Self.day * 90, added: [keyset.primaryKeyID: created]))
            #expect(record.dueDate(of: keyset) == created.addingTimeInterval(90 * 86_400))
            #expect(record.primaryAge(of: keyset, at: created.addingTimeInterval(60)) == 60)
            #expect(try permissions("\(directory)/pii.rotation.json") == 0o600)
            // The record is plain JSON that names no key material, and is not listed as a key.
            let json = try String(contentsOfFile: "\(directory)/pii.rotation.json", encoding: .utf8)
            #expect(json.contains(#""rotation_period_seconds" : 7776000"#))
            #expect(json.contains(#""\#(keyset.primaryKeyID)" : "2027-01-15T08:00:00Z""#))
            #expect(try vault.list() == ["pii"])
            // A key without a period still records when its key was added, and is never due.
            let plain = try await vault.create("plain", type: .aes256SIV, at: created)
            #expect(try vault.rotationRecord("plain").isDue(plain, at: .distantFuture) == false)
            try await vault.destroy("pii")
            #expect(!FileManager.default.fileExists(atPath: "\(directory)/pii.rotation.json"))
        }
    }

    @Test func rotateIfDueRotatesOnlyOncePastThePeriod() async throws {
        try await withTemporaryDirectory { directory in
            let vault = KeyVault(directory: directory, provider: try LocalKeyEncryptionKey.create(at: "\(directory)/kek.json"))
            let created = Date(timeIntervalSince1970: 1_800_000_000)
            let first = try await vault.create("pii", type: .aes256GCM, rotationPeriod: Self.day, at: created)
            #expect(try await vault.rotateIfDue("pii", at: created.addingTimeInterval(86_399)) == nil)
            let dueAt = created.addingTimeInterval(86_400)
            let rotated = try #require(try await vault.rotateIfDue("pii", at: dueAt))
            #expect(rotated.keys.map(\.id) == [first.primaryKeyID, rotated.primaryKeyID])
            #expect(try vault.rotationRecord("pii").added[rotated.primaryKeyID] == dueAt)
            #expect(try vault.rotationRecord("pii").period == Self.day)
            #expect(try await vault.rotateIfDue("pii", at: dueAt) == nil)
        }
    }

    @Test func concurrentDueRotationsRotateOnce() async throws {
        try await withTemporaryDirectory { directory in
            let vault = KeyVault(directory: directory, provider: try LocalKeyEncryptionKey.create(at: "\(directory)/kek.json"))
            let created = Date(timeIntervalSince1970: 1_800_000_000)
            try await vault.create("pii", type: .aes256GCM, rotationPeriod: Self.day, at: created)
            let late = created.addingTimeInterval(2 * 86_400)
            let rotations = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await vault.rotateIfDue("pii", at: late) != nil }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(rotations == 1)
            #expect(try await vault.load("pii").keys.count == 2)
        }
    }

    @Test func aPrimaryOfUnknownAgeIsDue() async throws {
        try await withTemporaryDirectory { directory in
            let vault = KeyVault(directory: directory, provider: try LocalKeyEncryptionKey.create(at: "\(directory)/kek.json"))
            let keyset = try await vault.create("pii", type: .aes256GCM, rotationPeriod: Self.day * 90)
            // As after a rotation by an older sealgate, or a lost record edited by hand.
            try #"{"rotation_period_seconds": 7776000, "keys_added": {}}"#.write(
                toFile: "\(directory)/pii.rotation.json", atomically: true, encoding: .utf8)
            let record = try vault.rotationRecord("pii")
            #expect(record.primaryAge(of: keyset, at: Date()) == nil)
            #expect(record.dueDate(of: keyset) == .distantPast)
            #expect(try await vault.rotateIfDue("pii") != nil)
        }
    }

    @Test(arguments: [
        #"{"rotation_period_seconds": 0}"#, #"{"rotation_period_seconds": -5}"#, #"{"keys_added": {"x": "2026-01-01T00:00:00Z"}}"#,
        #"{"keys_added": {"12": "yesterday"}}"#, "not json",
    ])
    func aMalformedRecordIsAnError(json: String) async throws {
        try await withTemporaryDirectory { directory in
            let vault = KeyVault(directory: directory, provider: try LocalKeyEncryptionKey.create(at: "\(directory)/kek.json"))
            try await vault.create("pii", type: .aes256GCM)
            try json.write(toFile: "\(directory)/pii.rotation.json", atomically: true, encoding: .utf8)
            await expectError(.invalidKeyset) { try vault.rotationRecord("pii") }
        }
    }

    @Test(arguments: KeyType.allCases)
    func everyEnabledKeyPassesItsCanary(type: KeyType) throws {
        var keyset = Keyset.generate(type)
        keyset.rotate()
        keyset.rotate()
        let checks = keyset.checkKeys()
        #expect(checks.map(\.keyID) == keyset.keys.map(\.id))
        #expect(checks.allSatisfy { $0.status == .enabled && $0.failure == nil })
    }

    @Test func aKeyWithBrokenMaterialFailsItsCanary() throws {
        let good = Keyset.generate(.aes256GCM)
        // Two keys with one id, as Tink allows: the second's canary is opened by trying both.
        let keyset = Keyset(
            type: .aes256GCM,
            primaryKeyID: good.primaryKeyID,
            keys: good.keys + [Keyset.Key(id: 7, status: .enabled, material: [UInt8](repeating: 1, count: 5))]
        )
        let checks = keyset.checkKeys()
        #expect(checks[0].failure == nil)
        #expect(checks[1].keyID == 7 && checks[1].failure != nil)
    }
}
