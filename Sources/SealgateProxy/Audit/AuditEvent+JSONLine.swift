import Foundation

extension AuditEvent {
    /// RFC 3339 in UTC with milliseconds, such as `2025-01-31T08:15:00.123Z`.
    static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// The event as one JSON object and a newline: `ts`, `event`, the fields that are set, then `actor` and `tool`.
    func jsonLine(time: Date, actorName: String, tool: String) -> String {
        var members = [
            ("ts", Self.quote(time.formatted(Self.timestampStyle))), ("event", Self.quote(name.description)),
        ]
        func add(_ member: String, _ value: String?) {
            if let value {
                members.append((member, value))
            }
        }
        add("key", key.map(Self.quote))
        add("type", type.map(Self.quote))
        add("key_id", keyID.map { String($0) })
        add("primary_key_id", primaryKeyID.map { String($0) })
        add("previous_primary_key_id", previousPrimaryKeyID.map { String($0) })
        add("key_ids", keyIDs.map { "[" + $0.map { String($0) }.joined(separator: ",") + "]" })
        add("kek", kek.map(Self.quote))
        add("previous_kek", previousKEK.map(Self.quote))
        add("keys", keys.map { "[" + $0.map(Self.quote).joined(separator: ",") + "]" })
        add("identity", identity.map(Self.quote))
        add("operation", operation.map(Self.quote))
        add("count", count.map { String($0) })
        add("since", since.map { Self.quote($0.formatted(Self.timestampStyle)) })
        add("actor", Self.quote(actorName))
        add("tool", Self.quote(tool))
        return "{" + members.map { "\"\($0)\":\($1)" }.joined(separator: ",") + "}\n"
    }

    private static func quote(_ text: String) -> String { JSONString.quote(text) }
}
