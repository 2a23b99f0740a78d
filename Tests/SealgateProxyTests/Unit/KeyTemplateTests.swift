import SealgateCrypto
import SealgateJSON
import SealgateProxy
import Testing

/// Per-tenant key templates: what parses, what each identity resolves to, and what a rewriter does with them.
@Suite struct KeyTemplateTests {
    @Test func parsesOnePlaceholder() throws {
        #expect(try KeyTemplate.parse("pii") == nil)
        let template = try #require(try KeyTemplate.parse("pii-{uri:2}"))
        #expect(template.prefix == "pii-" && template.segment == 2 && template.suffix.isEmpty)
        #expect(try KeyTemplate.parse("t.{uri:1}.cards")?.suffix == ".cards")
    }

    @Test(arguments: [
        ("pii-{uri:2", "has { without }"), ("pii-{dns:1}", "the only one is {uri:N}"), ("pii-{uri:0}", "N from 1 to 32"),
        ("pii-{uri:+1}", "N from 1 to 32"), ("{uri:1}-{uri:2}", "more than one placeholder"), ("PII-{uri:2}", "use only a-z 0-9"),
    ])
    func refusesMalformedTemplates(text: String, problem: String) {
        #expect {
            _ = try KeyTemplate.parse(text)
        } throws: { error in
            "\(error)".contains(problem)
        }
    }

    @Test func resolvesThePathSegmentOfTheFirstURISAN() throws {
        let template = try #require(try KeyTemplate.parse("pii-{uri:2}"))
        #expect(template.resolve(uris: ["spiffe://example.org/ns/acme/sa/intake"]) == "pii-acme")
        #expect(template.resolve(uris: ["spiffe://example.org/ns/acme/sa/intake", "spiffe://example.org/ns/globex/sa/x"]) == "pii-acme")
        // Too few segments, no URI, or a segment that is not a key name: no key at all, never a neighbour's.
        #expect(template.resolve(uris: ["spiffe://example.org/ns"]) == nil)
        #expect(template.resolve(uris: []) == nil)
        #expect(template.resolve(uris: ["spiffe://example.org/ns/Acme/sa/x"]) == nil)
        #expect(template.resolve(uris: ["spiffe://example.org/ns/ac%2Fme/sa/x"]) == nil)
        // Paths that only look like another tenant's: empty and dot segments resolve to nothing.
        for uri in ["spiffe://example.org/ns//acme", "spiffe://example.org//acme/sa/x", "spiffe://example.org/x/../acme",
                    "spiffe://example.org/./acme", "spiffe://example.org/ns/../sa", "spiffe://example.org"] {
            #expect(template.resolve(uris: [uri]) == nil, "\(uri)")
        }
        #expect(template.resolve(uris: ["spiffe://example.org/ns/acme"]) == "pii-acme")
        #expect(template.resolve(uris: ["spiffe://example.org/ns/acme?x=1"]) == "pii-acme")
        #expect(template.matches("pii-acme") && template.matches("pii-globex"))
        #expect(!template.matches("pii-") && !template.matches("pii") && !template.matches("cards-acme"))
    }

    /// Two tenants' keys, a rule `$.ssn` with `pii-{uri:2}`.
    static func tenants() throws -> (FieldRules, FieldKeys) {
        let ciphers = try ["pii-acme", "pii-globex"].map { try FieldCipher(keyName: $0, keyset: Keyset.generate(.aes256GCM)) }
        return (FieldRules([FieldRule(path: try JSONPath("$.ssn"), key: "pii-{uri:2}")]), FieldKeys(ciphers))
    }

    static func rewrite(_ document: String, _ rewriter: FieldRewriter) throws -> String {
        var counts = FieldRewriter.Counts()
        let output = try JSONStreamRewriter.rewrite(Array(document.utf8), paths: rewriter.paths) { try rewriter.replacement(for: $0, counts: &counts) }
        return String(decoding: output, as: UTF8.self)
    }

    @Test func eachTenantReadsOnlyItsOwnTokens() throws {
        let (rules, keys) = try Self.tenants()
        let acme = ["spiffe://example.org/ns/acme/sa/intake"]
        let globex = ["spiffe://example.org/ns/globex/sa/intake"]
        let sealed = try Self.rewrite(#"{"ssn":"078-05-1120"}"#, FieldRewriter(rules: rules, keys: keys, mode: .encrypt, identityURIs: acme))
        #expect(sealed.hasPrefix(#"{"ssn":"sg1:pii-acme:"#))
        #expect(try Self.rewrite(sealed, FieldRewriter(rules: rules, keys: keys, mode: .decrypt, identityURIs: acme)) == #"{"ssn":"078-05-1120"}"#)
        #expect(try Self.rewrite(sealed, FieldRewriter(rules: rules, keys: keys, mode: .decrypt, identityURIs: globex)) == sealed)
        // Re-encryption needs no identity: each token is resealed under its own key's primary.
        #expect(try Self.rewrite(sealed, FieldRewriter(rules: rules, keys: keys, mode: .reencrypt)) == sealed)
        // A tenant without a key may not write; nor may an identity without the segment.
        #expect(throws: KeyResolutionError.noKeyForIdentity(template: "pii-{uri:2}", resolved: "pii-initech")) {
            try FieldRewriter(rules: rules, keys: keys, mode: .encrypt, identityURIs: ["spiffe://example.org/ns/initech/sa/x"])
        }
        #expect(throws: KeyResolutionError.noKeyForIdentity(template: "pii-{uri:2}", resolved: nil)) {
            try FieldRewriter(rules: rules, keys: keys, mode: .encrypt, identityURIs: [])
        }
        #expect(throws: KeyResolutionError.notLoaded("pii-{uri:2}")) { try FieldRewriter(rules: rules, keys: FieldKeys(), mode: .decrypt) }
    }
}
