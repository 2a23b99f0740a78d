import Foundation
import SealgateProxy
import Testing

/// ``AuditLog`` on its own: the line format, JSON escaping, and appending to a file.
@Suite struct KeysAuditLogTests {
    @Test func linesAreAppendedAsEscapedJSON() throws {
        let sandbox = try KeysSandbox()
        let path = sandbox.path("audit.log")
        let kek = "/odd \"dir\"\\with\nnewline/ké/kek.json"
        let time = Date(timeIntervalSince1970: 1_700_000_000.25)
        for actor in ["alice@host-1", "bob@host-2"] {
            let log = try AuditLog(
                destination: AuditLog.Destination(configured: path),
                tool: "sealgate keys",
                actorName: actor
            )
            try log.record(
                AuditEvent(.kekRotated, keyID: 4_294_967_295, kek: kek, previousKEK: "/a/b", keys: ["pii"]),
                at: time
            )
        }
        #expect(try permissions(path) == 0o600)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(
            separator: "\n",
            omittingEmptySubsequences: false
        )
        #expect(lines.count == 3 && lines[2].isEmpty)
        #expect(
            lines[0] == #"{"ts":"2023-11-14T22:13:20.250Z","event":"kek.rotated","key_id":4294967295,"#
                + #""kek":"/odd \"dir\"\\with\nnewline/ké/kek.json","previous_kek":"/a/b","keys":["pii"],"#
                + #""actor":"alice@host-1","tool":"sealgate keys"}"#
        )
        let second = try #require(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(second["kek"] as? String == kek)
        #expect(second["actor"] as? String == "bob@host-2")
    }

    @Test func unopenableFileIsAnError() throws {
        let error = #expect(throws: AuditLogError.self) {
            try AuditLog(destination: .file("/nonexistent-dir/audit.log"), tool: "sealgate keys")
        }
        #expect(error?.message.hasPrefix("cannot open the audit log /nonexistent-dir/audit.log: ") == true)
    }

    @Test func configuredDestinations() {
        #expect(AuditLog.Destination(configured: "stderr") == .standardError)
        #expect(AuditLog.Destination(configured: "/var/log/sealgate/audit.log") == .file("/var/log/sealgate/audit.log"))
        #expect(AuditLog.currentActor().contains("@"))
    }
}
