import ArgumentParser
import SealgateCrypto
import Testing

@testable import sealgate

/// `sealgate keys …` command lines: what parses, and what `validate()` refuses with which advice.
@Suite struct KeysParsingTests {
    static let local = ["--vault", "keys", "--kek", "keys/kek.json"]

    @Test func localProviderForm() throws {
        let command = try #require(Sealgate.parseAsRoot(["keys", "list", "--json"] + Self.local) as? KeysListCommand)
        #expect(command.options.vault == "keys")
        #expect(command.options.kek == "keys/kek.json")
        #expect(command.options.config == nil)
        #expect(command.json)
    }

    @Test func configForm() throws {
        let command = try #require(
            Sealgate.parseAsRoot(["keys", "rotate", "pii", "-c", "sealgate.yaml"]) as? KeysRotateCommand
        )
        #expect(command.options.config == "sealgate.yaml")
        #expect(command.name == "pii")
    }

    @Test func rotationSchedule() throws {
        let create = try #require(
            Sealgate.parseAsRoot(["keys", "create", "pii", "--rotation-period", "90d"] + Self.local) as? KeysCreateCommand
        )
        #expect(create.rotationPeriod?.duration == .seconds(90 * 86_400))
        let due = try #require(Sealgate.parseAsRoot(["keys", "rotate", "--due", "--dry-run"] + Self.local) as? KeysRotateCommand)
        #expect(due.due && due.dryRun && due.name == nil)
        let verify = try #require(
            Sealgate.parseAsRoot(["keys", "verify", "-c", "s.yaml", "--sample", "rows.ndjson", "--route", "/v1/p", "--ndjson"])
                as? KeysVerifyCommand
        )
        #expect(verify.sample == "rows.ndjson" && verify.route == "/v1/p" && verify.ndjson)
    }

    @Test(arguments: [
        (["keys", "rotate"], "name the key to rotate, or pass --due"),
        (["keys", "rotate", "pii", "--due"], "pass either a key name or --due, not both"),
        (["keys", "rotate", "pii", "--dry-run"], "--dry-run goes with --due"),
        (["keys", "rotate", "--due", "--rotation-period", "30d"], "--rotation-period goes with a key name"),
        (["keys", "create", "pii", "--rotation-period", "0s"], "--rotation-period"),
        (["keys", "create", "pii", "--rotation-period", "often"], "--rotation-period"),
        (["keys", "verify", "--sample", "rows.json"], "--sample FILE needs --route PATH"),
        (["keys", "verify", "--route", "/v1/p"], "--route PATH goes with --sample FILE"),
        (["keys", "verify", "--sample", "rows.json", "--route", "/v1/p"], "--sample needs --config FILE"),
    ])
    func rotationAndVerifyRefusals(arguments: [String], message: String) throws {
        #expect {
            _ = try Sealgate.parseAsRoot(arguments + Self.local)
        } throws: { error in
            Sealgate.message(for: error).contains(message)
        }
    }

    @Test func createTypes() throws {
        let gcm = try #require(Sealgate.parseAsRoot(["keys", "create", "pii"] + Self.local) as? KeysCreateCommand)
        #expect(gcm.type == .aes256GCM)
        let siv = try #require(
            Sealgate.parseAsRoot(["keys", "create", "pii-search", "--type", "aes256-siv"] + Self.local)
                as? KeysCreateCommand
        )
        #expect(siv.type == .aes256SIV)
    }

    @Test func flagsDefaultToRefusing() throws {
        let destroy = try #require(
            Sealgate.parseAsRoot(["keys", "destroy", "pii"] + Self.local) as? KeysDestroyCommand
        )
        #expect(!destroy.confirm)
        let export = try #require(Sealgate.parseAsRoot(["keys", "export", "pii"] + Self.local) as? KeysExportCommand)
        #expect(!export.insecureCleartext)
        let confirmed = try #require(
            Sealgate.parseAsRoot(["keys", "destroy", "pii", "--confirm"] + Self.local) as? KeysDestroyCommand
        )
        #expect(confirmed.confirm)
    }

    @Test func importAndRotateKEK() throws {
        let command = try #require(
            Sealgate.parseAsRoot(["keys", "import", "copy", "-"] + Self.local) as? KeysImportCommand
        )
        #expect(command.key.name == "copy")
        #expect(command.file == "-")
        let rotate = try #require(
            Sealgate.parseAsRoot(["keys", "rotate-kek", "--new-kek", "new.json"] + Self.local) as? KeysRotateKEKCommand
        )
        #expect(rotate.newKEK == "new.json")
    }

    @Test(arguments: [
        (["keys", "list"], "say where the keys are: --config FILE"),
        (["keys", "list", "--vault", "keys"], "--vault DIR needs --kek FILE"),
        (["keys", "list", "--kek", "kek.json"], "--kek FILE needs --vault DIR"),
        (
            ["keys", "list", "--config", "c.yaml", "--vault", "keys"],
            "either --config FILE or --vault DIR --kek FILE, not both"
        ),
        (["keys", "list", "--config", "c.yaml", "--vault", "keys", "--kek", "k"], "not both"),
        (["keys", "list", "--config", "c.yaml", "--audit", "audit.log"], "--audit goes with --vault and --kek"),
        (["keys", "create", "PII"] + local, "invalid key name \"PII\""),
        (["keys", "create", "_pii"] + local, "invalid key name \"_pii\": use 1 to 63 of a-z 0-9 . _ -"),
        (["keys", "create", "pii", "--type", "aes128-gcm"] + local, "aes256-gcm"),
        (["keys", "import", "pii"] + local, "Missing expected argument '<file>'"),
        (["keys", "rotate-kek"] + local, "--new-kek"),
    ])
    func refused(_ arguments: [String], advice: String) throws {
        let error = #expect(throws: (any Error).self) { try Sealgate.parseAsRoot(arguments) }
        let message = Sealgate.message(for: try #require(error))
        #expect(message.contains(advice), "\(message)")
        #expect(Sealgate.exitCode(for: try #require(error)) != .success)
    }
}
