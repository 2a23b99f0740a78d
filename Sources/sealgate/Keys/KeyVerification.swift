import Foundation
import SealgateCertificates
import SealgateCrypto

/// What `keys verify` found, per key name: whether its keyset unwrapped, whether each key version sealed and opened a
/// canary, its primary's age and rotation schedule and, with a sample, how many stored tokens each version opened.
/// Printed as text for people or as stable JSON for scripts; never key material, never a value.
struct KeyVerification: Encodable {
    /// One key version.
    struct Version: Encodable {
        var keyID: UInt32
        /// `enabled`, `disabled`, `destroyed`, or `missing` for an id that sample tokens name but the keyset lacks.
        var status: String
        var primary: Bool
        /// `ok`, `failed` or `not_checked` (keys that are not enabled).
        var canary: String
        var failure: String?
        var sampleTokensOpened: Int
        var sampleTokensFailed: Int

        var failed: Bool { self.canary == "failed" || self.sampleTokensFailed > 0 }

        enum CodingKeys: String, CodingKey {
            case status, primary, canary, failure
            case keyID = "key_id"
            case sampleTokensOpened = "sample_tokens_opened"
            case sampleTokensFailed = "sample_tokens_failed"
        }
    }

    /// One key name.
    struct Key: Encodable {
        var name: String
        var type: String?
        /// Why the keyset did not open (unreadable, corrupt, another KEK), or why the key is missing.
        var error: String?
        var primaryKeyID: UInt32?
        var primaryAdded: String?
        var primaryAgeSeconds: Int?
        var rotationPeriodSeconds: Int64?
        var rotationDue: String?
        var versions: [Version] = []

        var failed: Bool { self.error != nil || self.versions.contains(where: \.failed) }

        enum CodingKeys: String, CodingKey {
            case name, type, error, versions, failed
            case primaryKeyID = "primary_key_id"
            case primaryAdded = "primary_added"
            case primaryAgeSeconds = "primary_age_seconds"
            case rotationPeriodSeconds = "rotation_period_seconds"
            case rotationDue = "rotation_due"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.name, forKey: .name)
            try container.encodeIfPresent(self.type, forKey: .type)
            try container.encodeIfPresent(self.error, forKey: .error)
            try container.encodeIfPresent(self.primaryKeyID, forKey: .primaryKeyID)
            try container.encodeIfPresent(self.primaryAdded, forKey: .primaryAdded)
            try container.encodeIfPresent(self.primaryAgeSeconds, forKey: .primaryAgeSeconds)
            try container.encodeIfPresent(self.rotationPeriodSeconds, forKey: .rotationPeriodSeconds)
            try container.encodeIfPresent(self.rotationDue, forKey: .rotationDue)
            try container.encode(self.versions, forKey: .versions)
            try container.encode(self.failed, forKey: .failed)
        }
    }

    /// What the sample held.
    struct Sample: Encodable {
        var file: String
        var route: String
        var documents: Int
        var tokensOpened: Int
        var tokensFailed: Int
        var malformedTokens: Int
        var notTokens: Int

        enum CodingKeys: String, CodingKey {
            case file, route, documents
            case tokensOpened = "tokens_opened"
            case tokensFailed = "tokens_failed"
            case malformedTokens = "malformed_tokens"
            case notTokens = "values_not_tokens"
        }
    }

    var vault: String
    var keys: [Key]
    var sample: Sample?

    /// Whether nothing failed: the vault holds keys, every keyset opened, every enabled version passed its canary,
    /// every sample token opened.
    var passed: Bool {
        !self.keys.isEmpty && !self.keys.contains(where: \.failed) && (self.sample?.malformedTokens ?? 0) == 0
    }

    enum CodingKeys: String, CodingKey {
        case vault, keys, sample, passed
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.vault, forKey: .vault)
        try container.encode(self.keys, forKey: .keys)
        try container.encodeIfPresent(self.sample, forKey: .sample)
        try container.encode(self.passed, forKey: .passed)
    }

    /// The report as JSON with sorted members.
    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, numbers and booleans cannot fail.
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The report for people: one block per key name, then the sample and the verdict.
    func text() -> String {
        var lines: [String] = []
        for key in self.keys {
            let type = key.type.map { " (\($0))" } ?? ""
            lines.append("key \(key.name)\(type): \(key.failed ? "FAILED" : "ok")\(key.error.map { ": \($0)" } ?? "")")
            if let id = key.primaryKeyID {
                var primary = "  primary \(id)"
                if let added = key.primaryAdded, let age = key.primaryAgeSeconds {
                    primary += ", added \(added) (\(Self.days(age)) ago)"
                } else {
                    primary += ", added at an unknown time"
                }
                if let period = key.rotationPeriodSeconds, let due = key.rotationDue {
                    primary += "; rotates every \(Duration.seconds(period).configurationText), due \(due)"
                } else {
                    primary += "; no rotation period"
                }
                lines.append(primary)
            }
            for version in key.versions {
                var line = "  key id \(version.keyID) \(version.status)\(version.primary ? " primary" : ""): "
                switch version.canary {
                case "ok": line += "canary sealed and opened"
                case "failed": line += "canary FAILED: \(version.failure ?? "")"
                default: line += "not checked"
                }
                if self.sample != nil {
                    line += "; \(version.sampleTokensOpened) sample tokens opened"
                    if version.sampleTokensFailed > 0 { line += ", \(version.sampleTokensFailed) did NOT open" }
                }
                lines.append(line)
            }
        }
        if let sample = self.sample {
            var line =
                "sample \(sample.file) (route \(sample.route)): \(sample.documents) documents, "
                + "\(sample.tokensOpened) tokens opened, \(sample.tokensFailed) did not"
            if sample.malformedTokens > 0 { line += ", \(sample.malformedTokens) malformed sg1: values" }
            if sample.notTokens > 0 { line += "; \(sample.notTokens) values at rule paths are not tokens (not checked)" }
            lines.append(line)
        }
        let failed = self.keys.filter(\.failed).map(\.name)
        if self.passed {
            lines.append("verified \(self.keys.count) keys in \(self.vault)\(self.sample == nil ? "" : " and the sample's tokens")")
        } else if self.keys.isEmpty {
            lines.append("verify FAILED: the vault \(self.vault) holds no keys (is this the restored vault?)")
        } else if failed.isEmpty {
            lines.append("verify FAILED: the sample holds malformed tokens")
        } else {
            lines.append("verify FAILED: \(failed.count) of \(self.keys.count) keys: \(failed.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }

    /// An age in days with one decimal, like `12.5d`.
    private static func days(_ seconds: Int) -> String {
        String(format: "%.1fd", Double(seconds) / 86_400)
    }
}
