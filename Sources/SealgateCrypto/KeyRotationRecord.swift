#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// When each key of a key name was added and how often the key name should get a new primary.
///
/// ``KeyVault`` keeps it beside the keyset, in `<vault>/<name>.rotation.json`, not inside it: Tink's encrypted
/// keyset JSON has no member for it (Python Tink refuses unknown members), and none of it is secret. Losing or
/// editing the file changes only the schedule, never a key: a primary whose addition time is unknown counts as due,
/// and rotating is always safe because older keys stay for decryption.
public struct KeyRotationRecord: Sendable, Hashable {
    /// How long a primary serves before `keys rotate --due` replaces it; nil for no schedule.
    public var period: Duration?
    /// When each key, by id, was added to the keyset.
    public var added: [UInt32: Date]

    /// A record with no schedule and no known times.
    public init(period: Duration? = nil, added: [UInt32: Date] = [:]) {
        self.period = period
        self.added = added
    }

    /// How long the keyset's primary has served at `now`, or nil if its addition time is unknown.
    public func primaryAge(of keyset: Keyset, at now: Date) -> TimeInterval? {
        self.added[keyset.primaryKeyID].map { now.timeIntervalSince($0) }
    }

    /// When the keyset's primary is due for rotation: its addition plus the period; the distant past if its
    /// addition time is unknown; nil without a period.
    public func dueDate(of keyset: Keyset) -> Date? {
        guard let period else { return nil }
        guard let added = self.added[keyset.primaryKeyID] else { return .distantPast }
        return added.addingTimeInterval(TimeInterval(period.components.seconds))
    }

    /// Whether the keyset's primary is due for rotation at `now`.
    public func isDue(_ keyset: Keyset, at now: Date) -> Bool {
        self.dueDate(of: keyset).map { $0 <= now } ?? false
    }
}

extension KeyRotationRecord: Codable {
    private enum CodingKeys: String, CodingKey {
        case period = "rotation_period_seconds"
        case added = "keys_added"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let seconds = try container.decodeIfPresent(Int64.self, forKey: .period)
        if let seconds, seconds <= 0 {
            throw DecodingError.dataCorruptedError(forKey: .period, in: container, debugDescription: "the rotation period must be positive")
        }
        self.period = seconds.map { .seconds($0) }
        let texts = try container.decodeIfPresent([String: String].self, forKey: .added) ?? [:]
        var added: [UInt32: Date] = [:]
        for (id, text) in texts {
            guard let keyID = UInt32(id), let date = try? Date(text, strategy: .iso8601) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .added,
                    in: container,
                    debugDescription: "\(id): \(text) is not a key id with an RFC 3339 UTC time"
                )
            }
            added[keyID] = date
        }
        self.added = added
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(self.period?.components.seconds, forKey: .period)
        let texts = Dictionary(uniqueKeysWithValues: self.added.map { (String($0.key), $0.value.formatted(.iso8601)) })
        try container.encode(texts, forKey: .added)
    }
}
