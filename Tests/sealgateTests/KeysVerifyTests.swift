import Foundation
import SealgateTestSupport
import Testing

/// `keys verify`, the recovery drill: run over a real vault and documents `sealgate encrypt` wrote, then over a
/// vault that was damaged in the ways a restore goes wrong.
@Suite struct KeysVerifyTests {
    /// The report of `keys verify --json`.
    struct Report: Decodable {
        struct Key: Decodable {
            var name: String
            var error: String?
            var failed: Bool
            var versions: [Version]
        }

        struct Version: Decodable {
            var keyId: UInt32
            var status: String
            var canary: String
            var sampleTokensOpened: Int
            var sampleTokensFailed: Int
        }

        struct Sample: Decodable {
            var documents: Int
            var tokensOpened: Int
            var tokensFailed: Int
            var valuesNotTokens: Int
        }

        var keys: [Key]
        var sample: Sample?
        var passed: Bool

        init(_ json: String) throws {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            self = try decoder.decode(Self.self, from: Data(json.utf8))
        }

        func key(_ name: String) throws -> Key { try #require(self.keys.first { $0.name == name }) }
    }

    /// A vault with `pii` and `search`, and `stored.ndjson`: 20 documents sealed before `pii` rotated, 10 after,
    /// one with a plaintext ssn. Returns `--config FILE` and the two pii key ids, oldest first.
    static func storedDocuments(_ sandbox: KeysSandbox) async throws -> (config: [String], pii: [UInt32]) {
        let config = try await sandbox.fieldConfiguration()
        let route = ["--route", "/v1/patients", "--ndjson"]
        let before = try await sandbox.succeed(["encrypt"] + config + route, input: patientLines(20).joined(separator: "\n"))
        try await sandbox.succeed(["keys", "rotate", "pii"] + sandbox.local())
        let after = try await sandbox.succeed(["encrypt"] + config + route, input: patientLines(10).joined(separator: "\n"))
        let plaintext = #"{"id":99,"ssn":"123-45-9999"}"#
        try (before.stdout + "\n" + after.stdout + "\n" + plaintext + "\n")
            .write(toFile: sandbox.path("stored.ndjson"), atomically: true, encoding: .utf8)
        let pii = try #require(try await KeysListingJSON.read(sandbox, sandbox.local()).keys.first { $0.name == "pii" })
        return (config, pii.keys.map(\.keyId))
    }

    static let sample = ["--sample", "stored.ndjson", "--route", "/v1/patients", "--ndjson"]

    @Test func aHealthyVaultAndItsTokensPass() async throws {
        let sandbox = try KeysSandbox()
        let (config, pii) = try await Self.storedDocuments(sandbox)
        let verified = try await sandbox.succeed(["keys", "verify"] + config + Self.sample + ["--json"])
        let report = try Report(verified.stdout)
        #expect(report.passed)
        let versions = try report.key("pii").versions
        #expect(versions.map(\.keyId) == pii)
        #expect(versions.map(\.canary) == ["ok", "ok"])
        // ssn and dob per document: 20 documents under the old key, 10 under the new one.
        #expect(versions.map(\.sampleTokensOpened) == [40, 20])
        #expect(try report.key("search").versions.map(\.sampleTokensOpened) == [30])
        #expect(report.sample?.documents == 31)
        #expect(report.sample?.tokensOpened == 90 && report.sample?.tokensFailed == 0)
        #expect(report.sample?.valuesNotTokens == 1)

        let text = try await sandbox.succeed(["keys", "verify"] + config + Self.sample)
        #expect(text.stdout.contains("key pii (aes256-gcm): ok"))
        #expect(text.stdout.contains("  key id \(pii[0]) enabled: canary sealed and opened; 40 sample tokens opened"))
        #expect(text.stdout.contains("1 values at rule paths are not tokens (not checked)"))
        #expect(text.stdout.hasSuffix("verified 2 keys in \(sandbox.path("vault")) and the sample's tokens\n"))
        // Without a sample, with the local KEK options.
        let bare = try await sandbox.succeed(["keys", "verify"] + sandbox.local())
        #expect(bare.stdout.contains("verified 2 keys in \(sandbox.path("vault"))"))
    }

    @Test func aCorruptKeysetFailsNamingIt() async throws {
        let sandbox = try KeysSandbox()
        let (config, _) = try await Self.storedDocuments(sandbox)
        try #"{"encryptedKeyset": "AAAA"}"#.write(toFile: sandbox.path("vault/search.json"), atomically: true, encoding: .utf8)
        let outcome = try await sandbox.run(["keys", "verify"] + config + Self.sample)
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("key search: FAILED: cannot unwrap the keyset"))
        #expect(outcome.stdout.contains("key pii (aes256-gcm): ok"))
        #expect(outcome.stdout.contains("verify FAILED: 1 of 2 keys: search"))
    }

    @Test func aDestroyedKeyStillReferencedBySampleTokensFails() async throws {
        let sandbox = try KeysSandbox()
        let (config, _) = try await Self.storedDocuments(sandbox)
        try await sandbox.succeed(["keys", "destroy", "search", "--confirm"] + sandbox.local())
        let outcome = try await sandbox.run(["keys", "verify"] + config + Self.sample + ["--json"])
        #expect(outcome.status == 1)
        let report = try Report(outcome.stdout)
        #expect(!report.passed)
        let search = try report.key("search")
        #expect(search.failed && search.error == "the vault has no key search, which sample tokens name")
        #expect(search.versions.map(\.sampleTokensFailed) == [30])
        #expect(try !report.key("pii").failed)
    }

    @Test func anotherKEKFailsEveryKey() async throws {
        let sandbox = try KeysSandbox()
        _ = try await Self.storedDocuments(sandbox)
        try await sandbox.succeed(["keys", "init", "--vault", sandbox.path("other-vault"), "--kek", sandbox.path("other-kek.json")])
        let outcome = try await sandbox.run(["keys", "verify", "--vault", sandbox.path("vault"), "--kek", sandbox.path("other-kek.json")])
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("key pii: FAILED: cannot unwrap the keyset"))
        #expect(outcome.stdout.contains("verify FAILED: 2 of 2 keys: pii, search"))
    }

    @Test func anEmptyVaultFails() async throws {
        let sandbox = try KeysSandbox()
        try await sandbox.succeed(["keys", "init"] + sandbox.local())
        let outcome = try await sandbox.run(["keys", "verify"] + sandbox.local())
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("verify FAILED: the vault \(sandbox.path("vault")) holds no keys"))
    }
}
