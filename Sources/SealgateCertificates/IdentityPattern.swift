/// One entry of an authorization allow list: a name a client certificate must carry.
public enum IdentityPattern: Sendable, Hashable, CustomStringConvertible {
    /// A URI SAN such as a SPIFFE ID; a path segment that is exactly `*` matches any one segment.
    case uri(String)
    /// A DNS SAN, compared case-insensitively; a leading `*.` matches exactly one label.
    case dns(String)
    /// A subject common name, compared exactly.
    case commonName(String)
    /// A pin of the certificate's public key: lower-case hex SHA-256 of its DER SubjectPublicKeyInfo.
    case spkiSHA256(String)

    /// Builds a SPKI pin, accepting upper or lower case hex.
    public static func spkiPin(_ hex: String) throws(SealgateCertificatesError) -> IdentityPattern {
        let lowered = hex.lowercased()
        guard lowered.utf8.count == 64, lowered.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else {
            throw SealgateCertificatesError(.invalidPattern, "spki_sha256 must be 64 hexadecimal digits")
        }
        return .spkiSHA256(lowered)
    }

    /// Whether the identity carries a name this pattern accepts.
    public func matches(_ identity: PeerIdentity) -> Bool {
        switch self {
        case .uri(let pattern):
            return identity.uris.contains { Self.uri($0, matches: pattern) }
        case .dns(let pattern):
            return identity.dnsNames.contains { Self.dnsName($0, matches: pattern) }
        case .commonName(let name):
            return identity.commonNames.contains(name)
        case .spkiSHA256(let pin):
            return identity.spkiSHA256 == pin
        }
    }

    public var description: String {
        switch self {
        case .uri(let value): "uri \(value)"
        case .dns(let value): "dns \(value)"
        case .commonName(let value): "cn \(value)"
        case .spkiSHA256(let value): "spki_sha256 \(value)"
        }
    }

    private static func uri(_ uri: String, matches pattern: String) -> Bool {
        let segments = uri.split(separator: "/", omittingEmptySubsequences: false)
        let patternSegments = pattern.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count == patternSegments.count else { return false }
        return zip(segments, patternSegments).allSatisfy { segment, expected in
            expected == "*" ? !segment.isEmpty : segment == expected
        }
    }

    private static func dnsName(_ name: String, matches pattern: String) -> Bool {
        let name = name.lowercased()
        let pattern = pattern.lowercased()
        guard pattern.hasPrefix("*.") else { return name == pattern }
        guard let dot = name.firstIndex(of: "."), dot != name.startIndex else { return false }
        return name[dot...] == pattern.dropFirst()
    }
}

/// An allow list: a client is authorized when any pattern matches; an empty list allows every verified client.
public struct AuthorizationPolicy: Sendable, Hashable {
    /// The accepted names.
    public var allow: [IdentityPattern]

    public init(allow: [IdentityPattern] = []) {
        self.allow = allow
    }

    /// Whether the identity may pass. A missing identity passes only an empty list.
    public func permits(_ identity: PeerIdentity?) -> Bool {
        if self.allow.isEmpty { return true }
        guard let identity else { return false }
        return self.allow.contains { $0.matches(identity) }
    }
}
