import Foundation
import SealgateTestSupport
import Testing

/// `keys create --rotation-period`, `keys rotate --due [--dry-run]` and `keys list`'s schedule, run as a user (or a
/// CronJob) would.
@Suite struct KeysRotationScheduleTests {
    /// A vault with `soon` (rotates every hour), `later` (every 90 days) and `plain` (no period).
    static func scheduledVault(_ sandbox: KeysSandbox) async throws {
        try await sandbox.succeed(["keys", "init"] + sandbox.local())
        let soon = try await sandbox.succeed(["keys", "create", "soon", "--rotation-period", "1h"] + sandbox.local())
        #expect(soon.stdout.contains("rotates every 1h: run `sealgate keys rotate --due`"))
        try await sandbox.succeed(["keys", "create", "later", "--rotation-period", "90d"] + sandbox.local())
        try await sandbox.succeed(["keys", "create", "plain"] + sandbox.local())
    }

    /// Moves the addition times in a key's rotation record back, as if its keys had been added that much earlier:
    /// the schedule is judged against the clock, so the tests age the record rather than wait.
    static func age(_ name: String, by seconds: TimeInterval, in sandbox: KeysSandbox) throws {
        let path = sandbox.path("vault/\(name).rotation.json")
        var record = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let added = try #require(record["keys_added"] as? [String: String])
        record["keys_added"] = try added.mapValues { text in
            try #require(try? Date(text, strategy: .iso8601)).addingTimeInterval(-seconds).formatted(.iso8601)
        }
        try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: path))
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
        try Self.age("soon", by: 2 * 86_400, in: sandbox)

        let dry = try await sandbox.succeed(["keys", "rotate", "--due", "--dry-run"] + sandbox.local())
        #expect(dry.stdout.contains("key soon: due (primary 2.0d old, rotates every 1h): would rotate"))
        #expect(dry.stdout.contains("key later: not due (primary 0.0d old, rotates every 90d, due \(later.rotationDue ?? ""))"))
        #expect(dry.stdout.contains("key plain: no rotation period"))
        #expect(dry.stdout.contains("would rotate 1 of 3 keys"))
        let aged = try await KeysListingJSON.read(sandbox, sandbox.local())
        #expect(aged.keys.map { $0.keys.map(\.keyId) } == listed.keys.map { $0.keys.map(\.keyId) })

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
        try Self.age("soon", by: 2 * 3600, in: sandbox)
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
