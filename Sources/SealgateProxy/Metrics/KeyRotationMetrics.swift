#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SealgateCrypto

/// The key rotation gauges, computed from the loaded keys at each scrape: `sealgate_key_primary_age_seconds{key}`
/// for every key name whose primary's addition time is known, and `sealgate_key_rotation_due_timestamp_seconds{key}`
/// for every key name with a rotation period (0, long past, when the primary's age is unknown: it counts as due).
public enum KeyRotationMetrics {
    /// The two families in Prometheus text format; empty when no key name has a record.
    /// - Parameters:
    ///   - keys: the keys in use.
    ///   - now: the time of the scrape.
    public static func exposition(_ keys: FieldKeys, at now: Date) -> String {
        var ages: [String] = []
        var dues: [String] = []
        for name in keys.rotation.keys.sorted() {
            guard let record = keys.rotation[name], let cipher = keys[name] else { continue }
            if let added = record.added[cipher.primaryKeyID] {
                ages.append("sealgate_key_primary_age_seconds{key=\"\(name)\"} \(Int(now.timeIntervalSince(added)))")
            }
            if let period = record.period {
                let due = record.added[cipher.primaryKeyID].map { Int($0.timeIntervalSince1970) + Int(period.components.seconds) } ?? 0
                dues.append("sealgate_key_rotation_due_timestamp_seconds{key=\"\(name)\"} \(due)")
            }
        }
        return Self.family("sealgate_key_primary_age_seconds", ages) + Self.family("sealgate_key_rotation_due_timestamp_seconds", dues)
    }

    private static func family(_ name: String, _ samples: [String]) -> String {
        guard !samples.isEmpty else { return "" }
        return "# HELP \(name) \(MetricHelp.text(for: name))\n# TYPE \(name) gauge\n" + samples.joined(separator: "\n") + "\n"
    }
}
