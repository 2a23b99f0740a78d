/// The `x-forwarded-client-cert` (XFCC) header value as Envoy writes it.
///
/// `By=<server URI SAN>;Hash=<hex SHA-256 of the client leaf DER>;Subject="<RFC 4514 DN>";URI=<each URI SAN>;DNS=<each DNS SAN>`.
/// Subject is always quoted; other values are quoted when they hold `,`, `;`, `=`, `"`, `\`,
/// white space or a control character; inside quotes `"` and `\` are backslash-escaped, and control
/// characters (C0, DEL and C1) are written as `\xHH`, so CR and LF never appear raw.
public enum ForwardedClientCertificate {
    /// The header value for a verified client.
    /// - Parameters:
    ///   - peer: the client's identity.
    ///   - serverURI: the URI SAN of sealgate's own certificate, if it has one.
    public static func headerValue(for peer: PeerIdentity, serverURI: String?) -> String {
        var elements: [String] = []
        if let serverURI { elements.append("By=" + self.encode(serverURI, alwaysQuote: false)) }
        elements.append("Hash=" + peer.certificateSHA256)
        elements.append("Subject=" + self.encode(peer.subject, alwaysQuote: true))
        for uri in peer.uris { elements.append("URI=" + self.encode(uri, alwaysQuote: false)) }
        for dns in peer.dnsNames { elements.append("DNS=" + self.encode(dns, alwaysQuote: false)) }
        return elements.joined(separator: ";")
    }

    static func encode(_ value: String, alwaysQuote: Bool) -> String {
        let needsQuotes =
            alwaysQuote
            || value.unicodeScalars.contains { scalar in
                ",;=\"\\ \t".unicodeScalars.contains(scalar) || Self.isControl(scalar)
            }
        guard needsQuotes else { return value }
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"", "\\":
                result += "\\" + String(scalar)
            case _ where Self.isControl(scalar):
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value)
    }
}
