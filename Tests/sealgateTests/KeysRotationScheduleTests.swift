import Foundation
import SealgateTestSupport
import Testing

/// `keys create --rotation-period`, `keys rotate --due [--dry-run]` and `keys list`'s schedule, run as a user (or a
/// CronJob) would.
@Suite struct KeysRotationScheduleTests {
    /// A vault with `soon` (rotates every 2 s), `later` (every 90 days) and `plain` (no period).
    static func scheduledVault(_ sandbox: KeysSandbox) async throws {
        try await sandbox.succeed(["keys", "init"] + sandbox.local())
        let soon = try await sandbox.succeed(["keys", "create", "soon", "--rotation-period", "2s"] + sandbox.local())
        #expect(soon.stdout.contains("rotates every 2s: run `sealgate keys rotate --due`"))
        try await sandbox.succeed(["keys", "create", "later", "--rotation-period", "90d"] + sandbox.local())
        try await sandbox.succeed(["keys", "create", "plain"] + sandbox.local())
    }

    @Test func rotateDueRotatesExactlyTheKeysPastTheirPeriod() async throws {
        let sandbox = try KeysSandbox()
        try await Self.scheduledVault(sandbox)
        let listed = try await KeysListingJSON.read(sandbox, sandbox.local())
        let later = try #require(listed.keys.first { $0.name == "later" })
        #expect(later.rotationPeriodSeconds == 7_776_000)
        #expect(listed.keys.first { $0.name == "plain" }?.rotationDue == nil)
        let laterAdded = try #require(later.keys.first?.added.flatMap { try? Date($0, strategy: .iso8601) })
        #expect(later.rotationDue == laterAdded.addingTimeInterval(7_776_000).formatted(.iso8601))

        let early = try await sandbox.succeed(["keys", "rotate", "--due"] + sandbox.local())
        #expect(early.stdout.contains("key soon: not due"))
        #expect(early.stdout.contains("rotated 0 of 3 keys"))
        try await Task.sleep(for: .milliseconds(2100))

        let dry = try await sandbox.succeed(["keys", "rotate", "--due", "--dry-run"] + sandbox.local())
        #expect(dry.stdout.contains("key soon: due (primary 0.0d old, rotates every 2s): would rotate"))
        #expect(dry.stdout.contains("key later: not due (primary 0.0d old, rotates every 90d, due \(later.rotationDue ?? ""))"))
        #expect(dry.stdout.contains("key plain: no rotation period"))
        #expect(dry.stdout.contains("would rotate 1 of 3 keys"))
        #expect(try await KeysListingJSON.read(sandbox, sandbox.local()) == listed)

        let due = try await sandbox.succeed(["keys", "rotate", "--due"] + sandbox.local())
        #expect(due.stdout.contains("key soon: rotated"))
        #expect(due.stdout.contains("rotated 1 of 3 keys"))
        let after = try await KeysListingJSON.read(sandbox, sandbox.local())
        #expect(after.keys.map { $0.keys.count } == [1, 1, 2])
        #expect(after.keys.filter { $0.name != "soon" } == listed.keys.filter { $0.name != "soon" })
        let rotations = try sandbox.auditEvents().filter { $0["event"] as? String == "key.rotated" }
        #expect(rotations.map { $0["key"] as? String } == ["soon"])
    }

    @Test func replicasRunningRotateDueAtOnceRotateOnce() async throws {
        let sandbox = try KeysSandbox()
        try await Self.scheduledVault(sandbox)
        try await Task.sleep(for: .milliseconds(2100))
        let (arguments, directory) = (["keys", "rotate", "--due"] + sandbox.local(), sandbox.directory)
        let outputs = try await withThrowingTaskGroup(of: ProcessOutput.self) { group in
            for _ in 0..<3 {
                group.addTask { try await runProcess(TestEnvironment.sealgateBinary, arguments, in: directory) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outputs.allSatisfy { $0.status == 0 }, "\(outputs.map(\.stderr))")
        #expect(outputs.filter { $0.stdout.contains("key soon: rotated (") }.count == 1, "\(outputs.map(\.stdout))")
        let soon = try await KeysListingJSON.read(sandbox, sandbox.local()).keys.first { $0.name == "soon" }
        #expect(soon?.keys.count == 2)
    }

    @Test func rotatingByNameCanSetThePeriod() async throws {
        let sandbox = try KeysSandbox()
        try await sandbox.succeed(["keys", "init"] + sandbox.local())
        try await sandbox.succeed(["keys", "create", "pii"] + sandbox.local())
        let rotated = try await sandbox.succeed(["keys", "rotate", "pii", "--rotation-period", "30d"] + sandbox.local())
        #expect(rotated.stdout.contains("rotates every 30d"))
        let pii = try #require(try await KeysListingJSON.read(sandbox, sandbox.local()).keys.first)
        #expect(pii.rotationPeriodSeconds == 2_592_000)
        #expect(pii.keys.allSatisfy { $0.added != nil })
    }
}
