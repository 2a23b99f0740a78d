import Foundation
import SealgateCertificates
import SealgateCrypto

/// What `keys list` prints: a table for people or stable JSON for scripts; never key material.
struct KeyListing: Encodable {
    /// One key name.
    struct Entry: Encodable {
        var name: String
        var type: String
        var primaryKeyID: UInt32
        var rotationPeriodSeconds: Int64?
        /// When the primary is due for rotation (RFC 3339), `now` if its age is unknown; nil without a period.
        var rotationDue: String?
        var keys: [Key]

        enum CodingKeys: String, CodingKey {
            case name, type, keys
            case primaryKeyID = "primary_key_id"
            case rotationPeriodSeconds = "rotation_period_seconds"
            case rotationDue = "rotation_due"
        }
    }

    /// One key of a key name.
    struct Key: Encodable {
        var keyID: UInt32
        var status: String
        var primary: Bool
        /// When the key was added (RFC 3339), if known.
        var added: String?

        enum CodingKeys: String, CodingKey {
            case status, primary, added
            case keyID = "key_id"
        }
    }

    var keys: [Entry]

    init(_ keysets: [(name: String, keyset: Keyset, rotation: KeyRotationRecord)]) {
        keys = keysets.map { name, keyset, rotation in
            let due = rotation.dueDate(of: keyset)
            return Entry(
                name: name,
                type: keyset.type.rawValue,
                primaryKeyID: keyset.primaryKeyID,
                rotationPeriodSeconds: rotation.period?.components.seconds,
                rotationDue: due.map { $0 == .distantPast ? "now" : $0.rfc3339 },
                keys: keyset.keys.map {
                    Key(
                        keyID: $0.id,
                        status: $0.status.rawValue.lowercased(),
                        primary: $0.id == keyset.primaryKeyID,
                        added: rotation.added[$0.id]?.rfc3339
                    )
                }
            )
        }
    }

    /// `{"keys": [...]}` with sorted members.
    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, numbers and booleans cannot fail.
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// One row per key: name, type, key id, status, when it was added, `yes` for the primary and, on the primary's
    /// row, when it is due for rotation.
    func table(vault: String) -> String {
        guard !keys.isEmpty else {
            return "no keys in the vault \(vault)"
        }
        let rows =
            [["NAME", "TYPE", "KEY ID", "STATUS", "ADDED", "PRIMARY", "ROTATION DUE"]]
            + keys.flatMap { entry in
                entry.keys.map {
                    [
                        entry.name, entry.type, String($0.keyID), $0.status, $0.added ?? "-", $0.primary ? "yes" : "",
                        $0.primary ? entry.rotationDue ?? "" : "",
                    ]
                }
            }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
