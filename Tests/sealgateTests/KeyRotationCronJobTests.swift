import Foundation
import SealgateTestSupport
import Testing
import Yams

/// config/kubernetes/key-rotation-cronjob.yaml: its rotate step, run for real on a vault laid out as the copy step
/// leaves it, and the guards that keep it the vault's only, single writer.
@Suite struct KeyRotationCronJobTests {
    static let file = ConfigExampleTests.root.appendingPathComponent("config/kubernetes/key-rotation-cronjob.yaml")

    static func documents() throws -> [[String: Any]] {
        try Yams.load_all(yaml: String(contentsOf: Self.file, encoding: .utf8)).compactMap { $0 as? [String: Any] }
    }

    static func podSpec() throws -> [String: Any] {
        let cronJob = try #require(try Self.documents().first { $0["kind"] as? String == "CronJob" })
        let spec = try #require(cronJob["spec"] as? [String: Any])
        #expect(spec["concurrencyPolicy"] as? String == "Forbid")
        let job = try #require((spec["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any])
        return try #require((job["template"] as? [String: Any])?["spec"] as? [String: Any])
    }

    @Test func itsRotateStepRotatesTheDueKeysOfTheCopiedVault() async throws {
        let pod = try Self.podSpec()
        let steps = try #require(pod["initContainers"] as? [[String: Any]])
        #expect(steps.compactMap { $0["name"] as? String } == ["copy", "rotate"])
        let arguments = try #require(steps[1]["args"] as? [String])
        #expect(Array(arguments.prefix(3)) == ["keys", "rotate", "--due"])

        // The copy step leaves /work/vault and /work/kek.json; run the same arguments on such a layout.
        let sandbox = try KeysSandbox()
        try await sandbox.succeed(["keys", "init", "--vault", sandbox.path("vault"), "--kek", sandbox.path("kek.json")])
        try await sandbox.succeed(["keys", "create", "pii", "--rotation-period", "1s"] + sandbox.local())
        try await sandbox.succeed(["keys", "create", "cards", "--rotation-period", "90d"] + sandbox.local())
        try await Task.sleep(for: .milliseconds(1100))
        let run = try await sandbox.succeed(arguments.map { $0.replacingOccurrences(of: "/work", with: sandbox.directory) })
        #expect(run.stdout.contains("key pii: rotated"))
        #expect(run.stdout.contains("rotated 1 of 2 keys"))

        // publish writes the whole vault, rotation records included, to the Secret the sidecars mount.
        let publish = try #require((pod["containers"] as? [[String: Any]])?.first { $0["name"] as? String == "publish" })
        let script = try #require((publish["command"] as? [String])?.last)
        #expect(script.contains("kubectl create secret generic sealgate-keys --from-file=/work/vault/"))
        #expect(FileManager.default.fileExists(atPath: sandbox.path("vault/pii.rotation.json")))
    }

    @Test func itMayReplaceOnlyTheVaultSecret() throws {
        let role = try #require(try Self.documents().first { $0["kind"] as? String == "Role" })
        let rules = try #require(role["rules"] as? [[String: Any]])
        #expect(rules.count == 1)
        #expect(rules[0]["resourceNames"] as? [String] == ["sealgate-keys"])
        #expect(rules[0]["resources"] as? [String] == ["secrets"])
        let kustomization = try String(
            contentsOf: ConfigExampleTests.root.appendingPathComponent("config/kubernetes/kustomization.yaml"), encoding: .utf8)
        #expect(kustomization.contains("- key-rotation-cronjob.yaml"))
    }
}
