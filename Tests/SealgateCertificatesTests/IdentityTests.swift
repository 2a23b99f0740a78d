import Foundation
import SealgateCertificates
import Testing

@Suite("Peer identity, authorization patterns and XFCC")
struct IdentityTests {
    static let now = Date()
    static let ca = try! DevelopmentPKI.makeCA(commonName: "CA", notBefore: now - 60, notAfter: now + 3600)

    static func identity(
        commonName: String = "writer",
        uris: [String] = ["spiffe://example.org/ns/intake/sa/writer"],
        dnsNames: [String] = []
    ) throws -> PeerIdentity {
        let leaf = try DevelopmentPKI.issue(
            by: ca,
            commonName: commonName,
            usage: .client,
            dnsNames: dnsNames,
            uris: uris,
            notBefore: now - 60,
            notAfter: now + 3600
        )
        return try PeerIdentity(derBytes: try der(leaf.certificatePEM))
    }

    static func der(_ pem: String) throws -> [UInt8] {
        let base64 = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return Array(try #require(Data(base64Encoded: base64)))
    }

    @Test("names are read from the certificate")
    func names() throws {
        let identity = try Self.identity(dnsNames: ["a.example.org"])
        #expect(identity.subject == "CN=writer,O=sealgate development")
        #expect(identity.commonNames == ["writer"])
        #expect(identity.uris == ["spiffe://example.org/ns/intake/sa/writer"])
        #expect(identity.dnsNames == ["a.example.org"])
        #expect(identity.certificateSHA256.count == 64)
        #expect(identity.spkiSHA256.count == 64)
        #expect(identity.spkiSHA256 != identity.certificateSHA256)
    }

    @Test(
        "patterns",
        arguments: [
            (IdentityPattern.uri("spiffe://example.org/ns/*/sa/writer"), true),
            (.uri("spiffe://example.org/ns/intake/sa/*"), true),
            (.uri("spiffe://example.org/ns/*"), false),
            (.uri("spiffe://example.org/ns/intake/sa/writer/*"), false),
            (.uri("spiffe://example.org/ns/intake/sa/writer"), true),
            (.uri("spiffe://example.org/ns/intake/sa/write"), false),
            (.dns("API.example.org"), true),
            (.dns("*.example.org"), true),
            (.dns("*.org"), false),
            (.commonName("writer"), true),
            (.commonName("Writer"), false),
        ]
    )
    func patterns(pattern: IdentityPattern, expected: Bool) throws {
        let identity = try Self.identity(dnsNames: ["api.example.org"])
        #expect(pattern.matches(identity) == expected)
    }

    @Test("SPKI pins match the public key, in any hex case")
    func spkiPin() throws {
        let identity = try Self.identity()
        #expect(try IdentityPattern.spkiPin(identity.spkiSHA256.uppercased()).matches(identity))
        #expect(try !IdentityPattern.spkiPin(String(repeating: "0", count: 64)).matches(identity))
        #expect(throws: SealgateCertificatesError.self) { try IdentityPattern.spkiPin("abc") }
    }

    @Test("an empty allow list permits any verified client, never a missing one when not empty")
    func policies() throws {
        let identity = try Self.identity()
        #expect(AuthorizationPolicy().permits(identity))
        #expect(AuthorizationPolicy().permits(nil))
        #expect(!AuthorizationPolicy(allow: [.commonName("writer")]).permits(nil))
        #expect(AuthorizationPolicy(allow: [.commonName("x"), .commonName("writer")]).permits(identity))
    }

    @Test("XFCC as Envoy writes it, with quoting and escaping")
    func forwardedClientCertificate() throws {
        let identity = try Self.identity(
            commonName: "a \"quoted\", back\\slash",
            uris: ["spiffe://example.org/a", "urn:x;y=z"],
            dnsNames: ["a.example.org"]
        )
        let value = ForwardedClientCertificate.headerValue(for: identity, serverURI: "spiffe://example.org/sealgate")
        // The RFC 4514 subject escapes `"`, `,` and `\` with `\`; XFCC quoting then escapes `"` and `\` again.
        let subject = #"CN=a \\\"quoted\\\"\\, back\\\\slash,O=sealgate development"#
        #expect(
            value == "By=spiffe://example.org/sealgate;Hash=\(identity.certificateSHA256);Subject=\"\(subject)\";"
                + #"URI=spiffe://example.org/a;URI="urn:x;y=z";DNS=a.example.org"#
        )
        #expect(value.contains(#"URI="urn:x;y=z""#))
        #expect(!value.contains("\n"))
        let withoutServer = ForwardedClientCertificate.headerValue(for: identity, serverURI: nil)
        #expect(withoutServer.hasPrefix("Hash="))
    }

    @Test("control characters never appear raw in XFCC")
    func controlCharacters() throws {
        let identity = try Self.identity(commonName: "evil\r\nx-injected: 1")
        let value = ForwardedClientCertificate.headerValue(for: identity, serverURI: nil)
        #expect(!value.contains("\r"))
        #expect(!value.contains("\n"))
        #expect(value.contains(#"\x0D\x0A"#))
    }
}

extension IdentityTests {
    @Test("C1 control characters are escaped too")
    func c1Controls() throws {
        let identity = try Self.identity(commonName: "next\u{85}line")
        let value = ForwardedClientCertificate.headerValue(for: identity, serverURI: nil)
        #expect(!value.unicodeScalars.contains("\u{85}"))
        #expect(value.contains(#"\x85"#))
    }
}
