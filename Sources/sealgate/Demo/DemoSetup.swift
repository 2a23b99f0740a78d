import Foundation
import SealgateCertificates
import SealgateCrypto

/// The files of a demo under one directory: the development PKI, a key vault and `sealgate.yaml`.
/// The PKI and the keys are made once and reused; the configuration is written on every run (the ports may change).
struct DemoSetup {
    let directory: String
    let port: Int
    let adminPort: Int
    let backendPort: Int

    /// The keys the field rules use, with their types.
    static let keys: [(name: String, type: KeyType)] = [
        ("pii", .aes256GCM), ("pii-search", .aes256SIV), ("financial", .aes256GCM),
    ]

    func path(_ name: String) -> String { "\(self.directory)/\(name)" }

    var configurationPath: String { self.path("sealgate.yaml") }
    var recordsPath: String { self.path("records.jsonl") }

    /// Creates what is missing and writes the configuration.
    func prepare() async throws {
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: self.path("ca.pem")) {
            try DevelopmentPKI.writeDevelopmentPKI(to: self.directory, overwrite: true)
        }
        if !FileManager.default.fileExists(atPath: self.path("kek.json")) {
            let kek = try LocalKeyEncryptionKey.create(at: self.path("kek.json"))
            try KeyVault.createDirectory(at: self.path("keys"))
            let vault = KeyVault(directory: self.path("keys"), provider: kek)
            for key in Self.keys { _ = try await vault.create(key.name, type: key.type) }
        }
        try self.configuration.write(toFile: self.configurationPath, atomically: true, encoding: .utf8)
    }

    /// `sealgate.yaml`: mutual TLS on `port`, the patients route with its field rules, the admin listener.
    var configuration: String {
        """
        # Written by `sealgate demo`: the demo's proxy configuration. Paths are relative to this file.
        listen:
          address: 127.0.0.1:\(self.port)
          tls: {certificate: server.pem, private_key: server-key.pem, client_ca: ca.pem}
        upstream: {url: "http://127.0.0.1:\(self.backendPort)", connect_timeout: 1s, timeout: 5s}
        authorization:
          allow:
            - uri: \(DevelopmentPKI.spiffeID("writer"))
            - uri: \(DevelopmentPKI.spiffeID("reader"))
        keys: {vault: keys, kek: {provider: local, path: kek.json}}
        routes:
          - match: {path: /v1/patients, methods: [GET, POST]}
            encrypt:
              - {path: $.ssn, key: pii}                      # randomized (AES-256-GCM)
              - {path: "$.contacts[*].phone", key: pii-search}  # deterministic (AES-256-SIV): searchable
              - {path: $.card.number, key: financial}
            decrypt_responses:
              allow: [{uri: \(DevelopmentPKI.spiffeID("reader"))}]
        admin: {address: 127.0.0.1:\(self.adminPort)}
        log: {level: warning, audit: audit.log}

        """
    }
}
