import Foundation
import SealgateCrypto
import Testing

extension KeysSandbox {
    /// The rule paths of `/v1/patients` in ``fieldConfiguration()``: `$.ssn` with `pii` (aes256-gcm),
    /// `$.email` with `search` (aes256-siv) and `$.dob` with `pii`.
    static let patientRules = ["$.ssn", "$.email", "$.dob"]

    /// Creates a vault with keys `pii` and `search` and writes `sealgate.yaml`, with route `/v1/patients` (its
    /// rules are ``patientRules``) and `/v1/plain` without rules.
    /// - Returns: `--config FILE`.
    func fieldConfiguration() async throws -> [String] {
        try await succeed(["keys", "init"] + local())
        try await succeed(["keys", "create", "pii"] + local())
        try await succeed(["keys", "create", "search", "--type", "aes256-siv"] + local())
        try """
        keys: {vault: vault, kek: {provider: local, path: kek.json}}
        routes:
          - match: {path: /v1/plain}
          - match: {path: /v1/patients}
            encrypt:
              - {path: $.ssn, key: pii}
              - {path: $.email, key: search}
              - {path: $.dob, key: pii}
        """.write(toFile: path("sealgate.yaml"), atomically: true, encoding: .utf8)
        return ["--config", path("sealgate.yaml")]
    }

    /// The primary key id of each key name, from `sealgate keys list --json`.
    func primaryKeyIDs() async throws -> [String: UInt32] {
        let listing = try await KeysListingJSON.read(self, local())
        return Dictionary(uniqueKeysWithValues: listing.keys.map { ($0.name, $0.primaryKeyId) })
    }
}

/// The tokens of one JSON document at `paths` (top-level members), parsed.
func tokens(in document: some StringProtocol, at paths: [String]) throws -> [Token] {
    let object = try #require(JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
    return try paths.compactMap { path in
        try (object[String(path.dropFirst(2))] as? String).map { try Token(parsing: $0) }
    }
}

/// `count` canonical (RFC 8785) NDJSON lines with values at every rule of ``KeysSandbox/patientRules``.
func patientLines(_ count: Int) -> [String] {
    (1...count).map { #"{"id":\#($0),"ssn":"123-45-\#($0)","email":"p\#($0)@example.com","dob":{"m":\#($0 % 12 + 1),"y":1990}}"# }
}
