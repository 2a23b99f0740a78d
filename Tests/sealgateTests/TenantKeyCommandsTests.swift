import Foundation
import Testing

/// `encrypt`, `decrypt` and `reencrypt` on a route whose rule key is a per-tenant template.
@Suite struct TenantKeyCommandsTests {
    @Test func theCommandsResolveTenantKeysFromIdentityURI() async throws {
        let sandbox = try KeysSandbox()
        try await sandbox.succeed(["keys", "init"] + sandbox.local())
        try await sandbox.succeed(["keys", "create", "pii-acme"] + sandbox.local())
        try """
        keys: {vault: vault, kek: {provider: local, path: kek.json}}
        routes:
          - match: {path: /v1/patients}
            encrypt: [{path: $.ssn, key: "pii-{uri:2}"}]
        """.write(toFile: sandbox.path("sealgate.yaml"), atomically: true, encoding: .utf8)
        let rules = ["--config", sandbox.path("sealgate.yaml"), "--route", "/v1/patients"]
        let document = #"{"ssn":"078-05-1120"}"#

        let anonymous = try await sandbox.run(["encrypt"] + rules, input: document)
        #expect(anonymous.status == 2)
        #expect(anonymous.stderr.contains("encrypts with per-tenant keys (pii-{uri:2}): pass --identity-uri URI"))
        let acme = ["--identity-uri", "spiffe://example.org/ns/acme/sa/intake"]
        let sealed = try await sandbox.succeed(["encrypt"] + rules + acme, input: document).stdout
        #expect(sealed.hasPrefix(#"{"ssn":"sg1:pii-acme:"#))
        #expect(try await sandbox.succeed(["decrypt"] + rules + acme, input: sealed).stdout == document)
        let globex = try await sandbox.succeed(["decrypt"] + rules + ["--identity-uri", "spiffe://example.org/ns/globex/sa/x"], input: sealed)
        #expect(globex.stdout == sealed)
        let unknown = try await sandbox.run(["encrypt"] + rules + ["--identity-uri", "spiffe://example.org/ns/globex/sa/x"], input: document)
        #expect(unknown.status == 1 && unknown.stderr.contains("pii-globex (from pii-{uri:2}) is not in the vault"))

        // reencrypt needs no identity: after a rotation each token is resealed under its own key's new primary.
        try await sandbox.succeed(["keys", "rotate", "pii-acme"] + sandbox.local())
        try sealed.write(toFile: sandbox.path("export.ndjson"), atomically: true, encoding: .utf8)
        let reencrypted = try await sandbox.succeed(["reencrypt"] + rules + ["export.ndjson", "--output", "out"])
        #expect(reencrypted.stderr.contains("1 tokens re-sealed") || reencrypted.stdout.contains("1 tokens re-sealed"), "\(reencrypted.stderr)")
        let resealed = try String(contentsOfFile: sandbox.path("out/export.ndjson"), encoding: .utf8)
        #expect(resealed.hasPrefix(#"{"ssn":"sg1:pii-acme:"#) && resealed != sealed)
    }
}
