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

    /// Breaks line `line` (1-based) of `data.ndjson` with a token moved to another rule, so that a run stops there;
    /// returns the original line to put back.
    private func breakLine(_ line: Int, _ sandbox: KeysSandbox) throws -> String {
        var lines = try String(contentsOfFile: sandbox.path("data.ndjson"), encoding: .utf8).split(separator: "\n").map(String.init)
        let original = lines[line - 1]
        let ssn = try #require(try tokens(in: original, at: ["$.ssn"]).first).description
        lines[line - 1] = #"{"dob":"\#(ssn)"}"#
        try (lines.joined(separator: "\n") + "\n").write(toFile: sandbox.path("data.ndjson"), atomically: true, encoding: .utf8)
        return original
    }

    private func replaceLine(_ line: Int, with text: String, _ sandbox: KeysSandbox) throws {
        var lines = try String(contentsOfFile: sandbox.path("data.ndjson"), encoding: .utf8).split(separator: "\n").map(String.init)
        lines[line - 1] = text
        try (lines.joined(separator: "\n") + "\n").write(toFile: sandbox.path("data.ndjson"), atomically: true, encoding: .utf8)
    }

    /// A run interrupted at line 151 of 300, checkpointed after line 150; the input is then mended.
    private func interruptedRun(_ sandbox: KeysSandbox, _ config: [String]) async throws -> [String] {
        let original = try self.breakLine(151, sandbox)
        let arguments = ["reencrypt"] + config + [sandbox.path("data.ndjson"), "--output", sandbox.path("out"), "--checkpoint-every", "50"]
        #expect(try await sandbox.run(arguments).status == 1)
        try self.replaceLine(151, with: original, sandbox)
        return arguments
    }

    @Test func resumesFromTheCheckpoint() async throws {
        let (sandbox, config, plaintext) = try await rotatedData(300)
        let arguments = try await self.interruptedRun(sandbox, config)
        let checkpoint = try #require(try ReencryptCheckpointFile.read(sandbox.path("out/data.ndjson.reencrypt.progress")))
        #expect(checkpoint["lines"] as? Int == 150)
        #expect(checkpoint["input"] as? String == sandbox.path("data.ndjson"))
        #expect((checkpoint["input_sha256"] as? String)?.count == 64)
        let run = try await sandbox.succeed(arguments)
        #expect(run.stderr.contains("resuming after line 150"))
        #expect(run.stderr.contains("done: 150 documents, 450 tokens re-sealed"))
        let lines = try String(contentsOfFile: sandbox.path("out/data.ndjson"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 300)
        try await expectResealed(lines, decryptTo: plaintext, sandbox, config)
    }

    @Test(arguments: [1, 3])
    func jobsKeepTheInputOrder(jobs: Int) async throws {
        let (sandbox, config, plaintext) = try await rotatedData(1200)
        let run = try await sandbox.succeed(
            ["reencrypt"] + config + ["data.ndjson", "--output", "out", "--jobs", String(jobs), "--checkpoint-every", "100"]
        )
        #expect(run.stderr.contains("done: 1200 documents, 3600 tokens re-sealed"), "\(run.stderr)")
        let lines = try String(contentsOfFile: sandbox.path("out/data.ndjson"), encoding: .utf8).split(separator: "\n")
        try await expectResealed(lines, decryptTo: plaintext, sandbox, config)
    }

    @Test func refusesToResumeOntoAnotherInput() async throws {
        let (sandbox, config, plaintext) = try await rotatedData(300)
        let arguments = try await self.interruptedRun(sandbox, config)
        // Another export under the same name: its first 150 lines are not the ones re-encrypted already.
        let original = try String(contentsOfFile: sandbox.path("data.ndjson"), encoding: .utf8)
        let other = original.split(separator: "\n").reversed().joined(separator: "\n") + "\n"
        try other.write(toFile: sandbox.path("data.ndjson"), atomically: true, encoding: .utf8)
        let refused = try await sandbox.run(arguments)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("was made for another input (its first 150 lines are not the ones already re-encrypted)"))
        #expect(refused.stderr.contains("--restart"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.path("out/data.ndjson")))
        // A shorter input is another input too.
        try original.split(separator: "\n").prefix(120).joined(separator: "\n").appending("\n")
            .write(toFile: sandbox.path("data.ndjson"), atomically: true, encoding: .utf8)
        #expect(try await sandbox.run(arguments).stderr.contains("was made for another input (it has only 120 lines)"))
        // The same file name in another directory.
        try FileManager.default.createDirectory(atPath: sandbox.path("elsewhere"), withIntermediateDirectories: false)
        try original.write(toFile: sandbox.path("elsewhere/data.ndjson"), atomically: true, encoding: .utf8)
        let moved = try await sandbox.run(
            ["reencrypt"] + config + [sandbox.path("elsewhere/data.ndjson"), "--output", sandbox.path("out")]
        )
        #expect(moved.status == 1)
        #expect(moved.stderr.contains("(it read \(sandbox.path("data.ndjson")))"))

        // --restart: the whole reversed input, from its first line.
        try other.write(toFile: sandbox.path("data.ndjson"), atomically: true, encoding: .utf8)
        let restarted = try await sandbox.succeed(arguments + ["--restart"])
        #expect(restarted.stderr.contains("done: 300 documents, 900 tokens re-sealed"))
        let lines = try String(contentsOfFile: sandbox.path("out/data.ndjson"), encoding: .utf8).split(separator: "\n")
        try await expectResealed(lines, decryptTo: plaintext.reversed(), sandbox, config)
    }

    @Test func progressShowsThePartDoneAndTheTimeLeft() async throws {
        let (sandbox, config, _) = try await rotatedData(15000)
        let run = try await sandbox.succeed(
            ["reencrypt"] + config + [sandbox.path("data.ndjson"), "--output", sandbox.path("out")]
        )
        let lines = run.stderr.split(separator: "\n").filter { $0.contains("% of ") }
        // A debug build re-seals a few thousand lines a second at most: at least one report in between.
        #expect(!lines.isEmpty, "\(run.stderr)")
        #expect(lines.allSatisfy { $0.contains(" left") && ($0.contains(" KB") || $0.contains(" MB")) }, "\(lines)")
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
        #expect(try ReencryptCheckpointFile.read(sandbox.path("out/data.ndjson.reencrypt.progress"))?["lines"] as? Int == 2)
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

/// The JSON of a reencrypt checkpoint file, as a user would inspect it.
enum ReencryptCheckpointFile {
    static func read(_ path: String) throws -> [String: Any]? {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
    }
}
