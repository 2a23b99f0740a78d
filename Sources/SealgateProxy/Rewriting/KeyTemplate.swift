import SealgateCrypto

/// A rule's key written as a template resolved from the client's identity, for per-tenant keys: `pii-{uri:2}` is
/// `pii-` followed by the 2nd path segment of the client certificate's first URI SAN
/// (`spiffe://example.org/ns/acme/sa/intake` → `pii-acme`). One placeholder, `{uri:N}` with N from 1 to 32.
/// A segment that would not make a valid key name (upper case, `%`), and a path with an empty, `.` or `..` segment
/// before it, resolve to nothing: no key. The URI's authority (the trust domain) plays no part: allow lists decide
/// which trust domains get in.
public struct KeyTemplate: Sendable, Hashable, CustomStringConvertible {
    /// The text before the placeholder.
    public let prefix: String
    /// Which path segment, from 1.
    public let segment: Int
    /// The text after the placeholder.
    public let suffix: String

    /// The template as written.
    public var description: String { "\(self.prefix){uri:\(self.segment)}\(self.suffix)" }

    /// Parses a rule's `key`.
    /// - Returns: nil when `text` has no `{`: a plain key name.
    /// - Throws: a message saying what is wrong with a template.
    public static func parse(_ text: String) throws(KeyTemplateError) -> KeyTemplate? {
        guard let open = text.firstIndex(of: "{") else { return nil }
        guard let close = text[open...].firstIndex(of: "}") else { throw KeyTemplateError(text, "has { without }") }
        let placeholder = text[text.index(after: open)..<close]
        guard placeholder.hasPrefix("uri:"), let segment = Int(placeholder.dropFirst(4)), (1...32).contains(segment),
            !placeholder.dropFirst(4).hasPrefix("+")
        else {
            throw KeyTemplateError(text, "has the placeholder {\(placeholder)}; the only one is {uri:N}, N from 1 to 32")
        }
        let template = KeyTemplate(prefix: String(text[..<open]), segment: segment, suffix: String(text[text.index(after: close)...]))
        guard !template.suffix.contains("{"), !template.suffix.contains("}"), !template.prefix.contains("}") else {
            throw KeyTemplateError(text, "has more than one placeholder")
        }
        guard KeyVault.isValidKeyName(template.prefix + "a" + template.suffix) else {
            throw KeyTemplateError(text, "does not make key names: around {uri:N} use only a-z 0-9 . _ -")
        }
        return template
    }

    /// The key name for a client whose URI SANs are `uris`, from the first one; nil when it has too few path segments
    /// or the segment does not make a valid key name.
    public func resolve(uris: [String]) -> String? {
        guard let uri = uris.first, let authority = uri.firstRange(of: "://") else { return nil }
        let afterScheme = uri[authority.upperBound...]
        guard let slash = afterScheme.firstIndex(of: "/") else { return nil }
        let path = afterScheme[afterScheme.index(after: slash)...].prefix { $0 != "?" && $0 != "#" }
        // Fail closed on paths a SPIFFE ID may not have: an empty, `.` or `..` segment up to the one taken would
        // otherwise let `/ns//acme` or `/x/../acme` stand for another tenant's path.
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count >= self.segment, !segments.prefix(self.segment).contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
        else { return nil }
        let name = self.prefix + segments[self.segment - 1] + self.suffix
        return KeyVault.isValidKeyName(name) ? name : nil
    }

    /// Whether a vault key name is one this template can resolve to.
    public func matches(_ name: String) -> Bool {
        guard name.count > self.prefix.count + self.suffix.count, name.hasPrefix(self.prefix), name.hasSuffix(self.suffix) else { return false }
        return KeyVault.isValidKeyName(name)
    }
}

/// Why a rule's key template is malformed.
public struct KeyTemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    init(_ text: String, _ problem: String) {
        self.description = "the key template \"\(text)\" \(problem)"
    }
}
