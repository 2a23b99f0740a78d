import Foundation
import SealgateCrypto
import Testing

/// The built `sealgate keys` commands, run as a user would, in a scratch directory.
@Suite struct KeysEndToEndTests {
    @Test func lifecycle() async throws {
        let sandbox = try KeysSandbox()
        let local = sandbox.local()
        let initialized = try await sandbox.succeed(["keys", "init"] + local)
        #expect(initialized.stdout.contains("created vault directory \(sandbox.path("vault")) (mode 0700)"))
        #expect(initialized.stdout.contains("created KEK \(sandbox.path("kek.json"))"))
        #expect(initialized.stderr.contains("warning: back up \(sandbox.path("kek.json"))"))
        #expect(try permissions(sandbox.path("kek.json")) == 0o600)
        #expect(try permissions(sandbox.path("vault")) == 0o700)

        try await sandbox.succeed(["keys", "create", "pii"] + local)
        try await sandbox.succeed(["keys", "create", "pii-search", "--type", "aes256-siv"] + local)
        let created = try await KeysListingJSON.read(sandbox, local)
        #expect(created.keys.map(\.name) == ["pii", "pii-search"])
        #expect(created.keys.map(\.type) == ["aes256-gcm", "aes256-siv"])
        #expect(created.keys.allSatisfy { $0.keys.count == 1 && $0.keys[0].primary && $0.keys[0].status == "enabled" })
        let original = created.keys[0].primaryKeyId

        let rotation = try await sandbox.succeed(["keys", "rotate", "pii"] + local)
        let rotated = try await KeysListingJSON.read(sandbox, local)
        let pii = rotated.keys[0]
        #expect(pii.keys.map(\.keyId) == [original, pii.primaryKeyId])
        #expect(pii.keys.map(\.primary) == [false, true])
        #expect(rotation.stdout.contains("new primary key id \(pii.primaryKeyId) (was \(original))"))
        let table = try await sandbox.succeed(["keys", "list"] + local)
        #expect(table.stdout.contains("NAME"))
        let rows = table.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        let added = rotated.keys.flatMap(\.keys).map { $0.added ?? "missing" }
        #expect(
            rows == [
                "NAME TYPE KEY ID STATUS ADDED PRIMARY ROTATION DUE", "pii aes256-gcm \(original) enabled \(added[0])",
                "pii aes256-gcm \(pii.primaryKeyId) enabled \(added[1]) yes",
                "pii-search aes256-siv \(rotated.keys[1].primaryKeyId) enabled \(added[2]) yes",
            ]
        )

        let exported = try await sandbox.succeed(["keys", "export", "pii", "--insecure-cleartext"] + local)
        let keyset = try Keyset(cleartextJSON: Data(exported.stdout.utf8))
        #expect(keyset.primaryKeyID == pii.primaryKeyId)
        #expect(keyset.keys.map(\.id) == pii.keys.map(\.keyId))
        try exported.stdout.write(toFile: sandbox.path("pii-export.json"), atomically: true, encoding: .utf8)
        try await sandbox.succeed(["keys", "import", "pii-copy", sandbox.path("pii-export.json")] + local)
        let copy = try await sandbox.succeed(["keys", "export", "pii-copy", "--insecure-cleartext"] + local)
        #expect(try Keyset(cleartextJSON: Data(copy.stdout.utf8)) == keyset)

        let refused = try await sandbox.run(["keys", "destroy", "pii-copy"] + local)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("refusing to destroy key pii-copy without --confirm"))
        #expect(refused.stderr.contains("every token sealed with key pii-copy"))
        #expect(refused.stderr.contains("in every backup"))
        #expect(FileManager.default.fileExists(atPath: sandbox.path("vault/pii-copy.json")))
        let destroyed = try await sandbox.succeed(["keys", "destroy", "pii-copy", "--confirm"] + local)
        #expect(destroyed.stdout.contains("destroyed key pii-copy"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("vault/pii-copy.json")))

        let kekRotation = try await sandbox.succeed(
            ["keys", "rotate-kek", "--new-kek", sandbox.path("kek2.json")] + local
        )
        #expect(kekRotation.stdout.contains("rewrapped 2 keysets (pii, pii-search) with \(sandbox.path("kek2.json"))"))
        #expect(kekRotation.stdout.contains("now point --kek to \(sandbox.path("kek2.json"))"))
        #expect(try permissions(sandbox.path("kek2.json")) == 0o600)
        let rewrapped = try await KeysListingJSON.read(sandbox, sandbox.local(kek: "kek2.json"))
        #expect(rewrapped.keys == rotated.keys)
        let stale = try await sandbox.run(["keys", "list"] + local)
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("does not decrypt with local KEK \(sandbox.path("kek.json"))"))

        let events = try sandbox.auditEvents()
        #expect(
            events.map { $0["event"] as? String } == [
                "kek.created", "key.created", "key.created", "key.rotated", "key.exported", "key.imported",
                "key.exported",
                "key.destroyed", "kek.created", "kek.rotated",
            ]
        )
        for event in events {
            #expect((event["ts"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil)
            #expect((event["actor"] as? String)?.contains("@") == true)
            #expect(event["tool"] as? String == "sealgate keys")
        }
        #expect(events[3]["key"] as? String == "pii")
        #expect(events[3]["previous_primary_key_id"] as? UInt32 == original)
        #expect(events[3]["primary_key_id"] as? UInt32 == pii.primaryKeyId)
        #expect(events[9]["keys"] as? [String] == ["pii", "pii-search"])
        let audit = try String(contentsOfFile: sandbox.path("audit.log"), encoding: .utf8)
        let secrets = try KeysListingJSON.keyMaterial(exported.stdout)
        #expect(secrets.count == 6)
        for secret in secrets {
            #expect(!audit.contains(secret))
            #expect(!table.stdout.contains(secret) && !rotation.stdout.contains(secret))
        }
    }

    @Test func initNeverReplacesAKEK() async throws {
        let sandbox = try KeysSandbox()
        try await sandbox.succeed(["keys", "init"] + sandbox.local())
        let before = try String(contentsOfFile: sandbox.path("kek.json"), encoding: .utf8)
        let again = try await sandbox.run(["keys", "init"] + sandbox.local())
        #expect(again.status == 1)
        #expect(again.stderr.contains("the KEK file \(sandbox.path("kek.json")) already exists"))
        #expect(try String(contentsOfFile: sandbox.path("kek.json"), encoding: .utf8) == before)
    }

    @Test func insecureKEKIsRefused() async throws {
        let sandbox = try KeysSandbox()
        try await sandbox.succeed(["keys", "init"] + sandbox.local())
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: sandbox.path("kek.json"))
        for command in [["list"], ["create", "pii"]] {
            let outcome = try await sandbox.run(["keys"] + command + sandbox.local())
            #expect(outcome.status == 2, "a refusal, as for a configuration error")
            #expect(outcome.stderr.contains("chmod 600 \(sandbox.path("kek.json"))"))
            #expect(outcome.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func exportNeedsTheInsecureFlag() async throws {
        let sandbox = try KeysSandbox()
        try await sandbox.succeed(["keys", "init"] + sandbox.local())
        try await sandbox.succeed(["keys", "create", "pii"] + sandbox.local())
        let refused = try await sandbox.run(["keys", "export", "pii"] + sandbox.local())
        #expect(refused.status == 2)
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("refusing to export key pii without --insecure-cleartext"))
        #expect(try sandbox.auditEvents().map { $0["event"] as? String } == ["kek.created", "key.created"])
    }

    @Test func importReadsStandardInputAndNeverReplaces() async throws {
        let sandbox = try KeysSandbox()
        let local = sandbox.local()
        try await sandbox.succeed(["keys", "init"] + local)
        try await sandbox.succeed(["keys", "create", "pii", "--type", "aes256-siv"] + local)
        let exported = try await sandbox.succeed(["keys", "export", "pii", "--insecure-cleartext"] + local)
        let imported = try await sandbox.succeed(["keys", "import", "other", "-"] + local, input: exported.stdout)
        #expect(imported.stdout.contains("imported key other (aes256-siv"))
        let vaultFile = try String(contentsOfFile: sandbox.path("vault/other.json"), encoding: .utf8)
        let again = try await sandbox.run(["keys", "import", "other", "-"] + local, input: exported.stdout)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already has a key other; import never replaces a key"))
        #expect(try String(contentsOfFile: sandbox.path("vault/other.json"), encoding: .utf8) == vaultFile)
        let garbage = try await sandbox.run(["keys", "import", "junk", "-"] + local, input: "{\"key\": 1}")
        #expect(garbage.status == 1)
        #expect(garbage.stderr.hasPrefix("error: "))
    }

    @Test func configurationFileForm() async throws {
        let sandbox = try KeysSandbox()
        try FileManager.default.createDirectory(atPath: sandbox.path("etc"), withIntermediateDirectories: false)
        // The proxy sections name files that do not exist and a route the proxy does not accept yet: the key
        // commands read only the keys section and log.audit.
        try """
        listen: {address: 127.0.0.1:8443, tls: {certificate: missing.pem, private_key: missing-key.pem, client_ca: ca.pem}}
        upstream: {url: http://127.0.0.1:8080}
        keys: {vault: ../vault, kek: {provider: local, path: ../kek.json}}
        routes: [{match: {path: /v1}, encrypt: [{path: $.ssn, key: pii}]}]
        log: {audit: ../audit.log}
        """.write(toFile: sandbox.path("etc/sealgate.yaml"), atomically: true, encoding: .utf8)
        let config = ["--config", sandbox.path("etc/sealgate.yaml")]
        try await sandbox.succeed(["keys", "init"] + config)
        try await sandbox.succeed(["keys", "create", "pii"] + config)
        #expect(FileManager.default.fileExists(atPath: sandbox.path("vault/pii.json")))
        let kekRotation = try await sandbox.succeed(
            ["keys", "rotate-kek", "--new-kek", sandbox.path("kek2.json")] + config
        )
        #expect(kekRotation.stdout.contains("now point keys.kek.path in \(sandbox.path("etc/sealgate.yaml")) to"))
        #expect(
            try sandbox.auditEvents().map { $0["event"] as? String } == [
                "kek.created", "key.created", "kek.created", "kek.rotated",
            ]
        )
    }

    @Test func configurationErrorsExitTwo() async throws {
        let sandbox = try KeysSandbox()
        try "upstream: {url: http://127.0.0.1:8080}\n".write(
            toFile: sandbox.path("no-keys.yaml"),
            atomically: true,
            encoding: .utf8
        )
        try "keys: {vault: v, kek: {provider: kms, path: k}}\n".write(
            toFile: sandbox.path("kms.yaml"),
            atomically: true,
            encoding: .utf8
        )
        for (file, problem) in [
            ("no-keys.yaml", "missing section 'keys'"), ("kms.yaml", "keys.kek.provider must be local, aws-kms, pkcs11 or vault-transit, not \"kms\""),
        ] {
            let outcome = try await sandbox.run(["keys", "list", "--config", sandbox.path(file)])
            #expect(outcome.status == 2)
            #expect(outcome.stderr.contains(problem), "\(outcome.stderr)")
        }
    }

    @Test func operationalErrorsExitOne() async throws {
        let sandbox = try KeysSandbox()
        let missing = try await sandbox.run(["keys", "list"] + sandbox.local())
        #expect(missing.status == 1)
        #expect(
            missing.stderr
                == "error: the vault directory \(sandbox.path("vault")) does not exist: run `sealgate keys init`, or check --vault\n"
        )
        try await sandbox.succeed(["keys", "init"] + sandbox.local())
        let unknown = try await sandbox.run(["keys", "rotate", "nope"] + sandbox.local())
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("has no key nope (`sealgate keys list` shows the keys)"))
        try await sandbox.succeed(["keys", "create", "pii"] + sandbox.local())
        let duplicate = try await sandbox.run(["keys", "create", "pii"] + sandbox.local())
        #expect(duplicate.status == 1)
        #expect(duplicate.stderr.contains("already has a key pii; create never replaces a key"))
    }

    @Test func auditGoesToStandardErrorByDefault() async throws {
        let sandbox = try KeysSandbox()
        let local = ["--vault", sandbox.path("vault"), "--kek", sandbox.path("kek.json")]
        try await sandbox.succeed(["keys", "init"] + local)
        let created = try await sandbox.succeed(["keys", "create", "pii"] + local)
        let line = try #require(created.stderr.split(separator: "\n").first)
        let event = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(event["event"] as? String == "key.created")
        #expect(event["type"] as? String == "aes256-gcm")
        #expect(line.hasPrefix("{\"ts\":"))
    }
}

/// `keys list --json`, decoded.
struct KeysListingJSON: Decodable, Equatable {
    struct Entry: Decodable, Equatable {
        var name: String
        var type: String
        var primaryKeyId: UInt32
        var rotationPeriodSeconds: Int64?
        var rotationDue: String?
        var keys: [Key]
    }

    struct Key: Decodable, Equatable {
        var keyId: UInt32
        var status: String
        var primary: Bool
        var added: String?
    }

    var keys: [Entry]

    static func read(_ sandbox: KeysSandbox, _ location: [String]) async throws -> KeysListingJSON {
        let outcome = try await sandbox.succeed(["keys", "list", "--json"] + location)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Self.self, from: Data(outcome.stdout.utf8))
    }

    /// How the key material of a Tink cleartext JSON keyset could show up: each key's `keyData.value`, and the
    /// raw key bytes at its end in base64 and hex.
    static func keyMaterial(_ cleartextJSON: String) throws -> [String] {
        let object = try #require(JSONSerialization.jsonObject(with: Data(cleartextJSON.utf8)) as? [String: Any])
        let keys = try #require(object["key"] as? [[String: Any]])
        return try keys.flatMap { key -> [String] in
            let value = try #require((key["keyData"] as? [String: Any])?["value"] as? String)
            let raw = try #require(Data(base64Encoded: value)).suffix(32)
            return [value, raw.base64EncodedString(), raw.map { String(format: "%02x", $0) }.joined()]
        }
    }
}

/// The POSIX permission bits of a file.
func permissions(_ path: String) throws -> Int {
    try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
}
