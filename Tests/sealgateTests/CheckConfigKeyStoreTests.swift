import Foundation
import SealgateTestSupport
import Testing

@testable import sealgate

/// `check-config` looks at the key store without unwrapping anything: the local KEK file must be private to the
/// user sealgate runs as, and every key a rule names must have its file in the vault.
@Suite("check-config and the key store")
struct CheckConfigKeyStoreTests {
    /// The fixture's minimal configuration with a local KEK and one route whose rules name `pii` and `key`.
    static func configuration(ruleKey: String) -> String {
        ConfigFileTests.Fixture.minimal + """
            keys:
              vault: vault
              kek: {provider: local, path: kek.json}
            routes:
              - match: {path: /v1/patients}
                encrypt:
                  - {path: $.ssn, key: pii}
                  - {path: $.phone, key: \(ruleKey)}

            """
    }

    /// A fixture with a vault holding `pii.json` and a KEK file of `mode` (no real keys: nothing is unwrapped).
    static func fixture(kekMode: mode_t = 0o600) throws -> ConfigFileTests.Fixture {
        let fixture = try ConfigFileTests.Fixture()
        let vault = fixture.directory.appendingPathComponent("vault")
        try FileManager.default.createDirectory(at: vault, withIntermediateDirectories: true)
        try "{}".write(to: vault.appendingPathComponent("pii.json"), atomically: true, encoding: .utf8)
        try fixture.write("{}", "kek.json")
        #expect(chmod(fixture.directory.appendingPathComponent("kek.json").path, kekMode) == 0)
        return fixture
    }

    static func problems(_ fixture: ConfigFileTests.Fixture, _ yaml: String) throws -> [ConfigProblem] {
        try fixture.write(yaml, "sealgate.yaml")
        do {
            _ = try ConfigFile.load(path: fixture.directory.appendingPathComponent("sealgate.yaml").path, checkingKeyStore: true)
            return []
        } catch {
            return error.problems
        }
    }

    @Test("a vault with every named key and a private KEK file pass")
    func complete() throws {
        let fixture = try Self.fixture()
        #expect(try Self.problems(fixture, Self.configuration(ruleKey: "pii")) == [])
    }

    @Test("a key a rule names that is not in the vault is a problem at that rule's line")
    func missingKey() throws {
        let fixture = try Self.fixture()
        let problems = try Self.problems(fixture, Self.configuration(ruleKey: "contact"))
        #expect(problems.count == 1)
        #expect(problems.first?.line == 12)
        #expect(problems.first?.message.contains("key \"contact\" is not in the vault") == true)
        #expect(problems.first?.message.contains("vault/contact.json") == true)
    }

    @Test("a KEK file readable by group or others is a problem at keys.kek.path")
    func kekMode() throws {
        let fixture = try Self.fixture(kekMode: 0o644)
        let problems = try Self.problems(fixture, Self.configuration(ruleKey: "pii"))
        #expect(problems.count == 1)
        #expect(problems.first?.line == 7)
        #expect(problems.first?.message.contains("mode 0644") == true)
        #expect(problems.first?.message.contains("chmod 600") == true)
    }

    @Test("a KEK file owned by another user is a problem", .enabled(if: geteuid() == 0, "needs root to give the file away"))
    func kekOwner() throws {
        let fixture = try Self.fixture()
        #expect(chown(fixture.directory.appendingPathComponent("kek.json").path, 65534, 65534) == 0)
        let problems = try Self.problems(fixture, Self.configuration(ruleKey: "pii"))
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("belongs to uid 65534") == true)
    }

    @Test("a missing KEK file is a problem")
    func missingKEK() throws {
        let fixture = try Self.fixture()
        try FileManager.default.removeItem(at: fixture.directory.appendingPathComponent("kek.json"))
        let problems = try Self.problems(fixture, Self.configuration(ruleKey: "pii"))
        #expect(problems.map(\.message) == ["keys.kek.path: cannot read the KEK file \(fixture.directory.appendingPathComponent("kek.json").path)"])
    }

    @Test("sealgate check-config exits 2 naming file and line of the missing key")
    func command() async throws {
        let fixture = try Self.fixture()
        try fixture.write(Self.configuration(ruleKey: "contact"), "sealgate.yaml")
        let path = fixture.directory.appendingPathComponent("sealgate.yaml").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.sealgateBinary)
        process.arguments = ["check-config", path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(output.contains("\(path):12:"), "\(output)")
        #expect(output.contains("key \"contact\" is not in the vault"), "\(output)")
    }
}
