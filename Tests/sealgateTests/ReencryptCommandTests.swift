import Foundation
import SealgateCrypto
import Testing

/// `sealgate reencrypt`, run through the built binary after `sealgate keys rotate`.
@Suite struct ReencryptCommandTests {
    /// A sandbox with `data.ndjson`: `count` patient lines encrypted under the first keys, which are then rotated.
    private func rotatedData(_ count: Int) async throws -> (KeysSandbox, [String], [String]) {
        let sandbox = try KeysSandbox()
        let config = try await sandbox.fieldConfiguration() + ["--route", "/v1/patients"]
        let plaintext = patientLines(count)
        let encrypted = try await sandbox.succeed(
            ["encrypt", "--ndjson"] + config,
            input: plaintext.joined(separator: "\n") + "\n"
        )
        try encrypted.stdout.write(toFile: sandbox.path("data.ndjson"), atomically: true, encoding: .utf8)
        try await sandbox.succeed(["keys", "rotate", "pii"] + sandbox.local())
        try await sandbox.succeed(["keys", "rotate", "search"] + sandbox.local())
        return (sandbox, config, plaintext)
    }

    /// Expects every token of `lines` to be under the current primary keys, and the lines to decrypt to `plaintext`.
    private func expectResealed(
        _ lines: [Substring],
        decryptTo plaintext: [String],
        _ sandbox: KeysSandbox,
        _ config: [String]
    ) async throws {
        let primaries = try await sandbox.primaryKeyIDs()
        for line in lines {
            let found = try tokens(in: line, at: KeysSandbox.patientRules)
            #expect(found.count == 3 && found.allSatisfy { $0.keyID == primaries[$0.keyName] })
        }
        let decrypted = try await sandbox.succeed(
            ["decrypt", "--ndjson"] + config,
            input: lines.joined(separator: "\n") + "\n"
        )
        #expect(decrypted.stdout == plaintext.joined(separator: "\n") + "\n")
    }

    @Test func resealsWithTheNewPrimaryKeys() async throws {
        let (sandbox, config, plaintext) = try await rotatedData(300)
        let run = try await sandbox.succeed(
            ["reencrypt"] + config + [sandbox.path("data.ndjson"), "--output", sandbox.path("out")]
        )
        #expect(run.stderr.contains("reencrypt: done: 300 documents, 900 tokens re-sealed"))
        let output = try String(contentsOfFile: sandbox.path("out/data.ndjson"), encoding: .utf8)
        let lines = output.split(separator: "\n")
        #expect(lines.count == 300)
        try await expectResealed(lines, decryptTo: plaintext, sandbox, config)
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("out/data.ndjson.reencrypt.tmp")))
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("out/data.ndjson.reencrypt.progress")))

        let again = try await sandbox.succeed(["reencrypt"] + config + [sandbox.path("out/data.ndjson"), "--in-place"])
        #expect(again.stderr.contains("300 documents, 0 tokens re-sealed"))
        #expect(try String(contentsOfFile: sandbox.path("out/data.ndjson"), encoding: .utf8) == output)
    }

    @Test func wholeJSONDocumentInPlace() async throws {
        let (sandbox, config, plaintext) = try await rotatedData(1)
        let document = try String(contentsOfFile: sandbox.path("data.ndjson"), encoding: .utf8)
        try document.write(toFile: sandbox.path("one.json"), atomically: true, encoding: .utf8)
        try await sandbox.succeed(["reencrypt"] + config + [sandbox.path("one.json"), "--in-place"])
        let rewritten = try String(contentsOfFile: sandbox.path("one.json"), encoding: .utf8)
        #expect(rewritten != document)
        try await expectResealed(rewritten.split(separator: "\n"), decryptTo: plaintext, sandbox, config)
    }

    @Test func resumesFromTheCheckpoint() async throws {
        let (sandbox, config, plaintext) = try await rotatedData(300)
        try FileManager.default.createDirectory(atPath: sandbox.path("out"), withIntermediateDirectories: false)
        // An interrupted run: 100 lines done and checkpointed, then part of a line written after the checkpoint.
        let done = String(repeating: "{\"done\":true}\n", count: 100)
        try (done + "{\"partial").write(
            toFile: sandbox.path("out/data.ndjson.reencrypt.tmp"),
            atomically: true,
            encoding: .utf8
        )
        try "100 \(done.utf8.count)\n".write(
            toFile: sandbox.path("out/data.ndjson.reencrypt.progress"),
            atomically: true,
            encoding: .utf8
        )
        let run = try await sandbox.succeed(
            ["reencrypt"] + config
                + [sandbox.path("data.ndjson"), "--output", sandbox.path("out"), "--checkpoint-every", "50"]
        )
        #expect(run.stderr.contains("resuming after line 100"))
        #expect(run.stderr.contains("done: 200 documents, 600 tokens re-sealed"))
        let lines = try String(contentsOfFile: sandbox.path("out/data.ndjson"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 300)
        #expect(lines.prefix(100).allSatisfy { $0 == #"{"done":true}"# })
        try await expectResealed(Array(lines.dropFirst(100)), decryptTo: Array(plaintext.dropFirst(100)), sandbox, config)
    }

    @Test func anUndecryptableTokenStopsTheRun() async throws {
        let (sandbox, config, _) = try await rotatedData(5)
        var lines = try String(contentsOfFile: sandbox.path("data.ndjson"), encoding: .utf8).split(separator: "\n")
        let ssn = try #require(try tokens(in: lines[2], at: ["$.ssn"]).first).description
        lines[2] = #"{"dob":"\#(ssn)"}"#
        try (lines.joined(separator: "\n") + "\n").write(
            toFile: sandbox.path("data.ndjson"),
            atomically: true,
            encoding: .utf8
        )
        let run = try await sandbox.run(
            ["reencrypt"] + config + [sandbox.path("data.ndjson"), "--output", sandbox.path("out"), "--checkpoint-every", "2"]
        )
        #expect(run.status == 1)
        #expect(run.stderr.contains("\(sandbox.path("data.ndjson")):3: "))
        #expect(run.stderr.contains("under rule $.dob does not decrypt"))
        #expect(!run.stderr.contains(ssn))
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("out/data.ndjson")))
        #expect(try String(contentsOfFile: sandbox.path("out/data.ndjson.reencrypt.progress"), encoding: .utf8).hasPrefix("2 "))
    }

    @Test func needsOneDestination() async throws {
        let sandbox = try KeysSandbox()
        let config = try await sandbox.fieldConfiguration() + ["--route", "/v1/patients"]
        #expect(try await sandbox.run(["reencrypt"] + config + ["x.ndjson"]).status == 64)
        #expect(try await sandbox.run(["reencrypt"] + config + ["x.ndjson", "--in-place", "--output", "d"]).status == 64)
        let missing = try await sandbox.run(["reencrypt"] + config + [sandbox.path("absent.ndjson"), "--in-place"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read"))
    }
}
