/// A complete value selected by a rule, handed to a ``JSONStreamRewriter``'s transform.
public struct MatchedValue: Sendable {
    /// The JSON type of a value.
    public enum Kind: Sendable, Hashable {
        /// A string, its decoded text in ``MatchedValue/stringValue``.
        case string
        /// A number.
        case number
        /// An object.
        case object
        /// An array.
        case array
        /// `true` or `false`.
        case bool
        /// `null`.
        case null
    }

    /// The position of the matching rule in the rewriter's list of paths.
    public let ruleIndex: Int
    /// The path of the matching rule (its `description` as written in the configuration).
    public let rulePath: JSONPath
    /// The absolute byte offset of the value's first byte in the document.
    public let byteOffset: Int
    /// The value's bytes exactly as they appear in the document (already validated).
    public let rawBytes: [UInt8]

    /// The JSON type of the value.
    public var kind: Kind {
        switch self.rawBytes.first {
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .bool
        case UInt8(ascii: "n"): .null
        default: .number
        }
    }

    /// The decoded text of a string value, `nil` for other kinds.
    public var stringValue: String? {
        guard self.kind == .string else {
            return nil
        }
        var index = 0
        return String(decoding: JSONCanonicalizer.decodeString(self.rawBytes, at: &index), as: UTF8.self)
    }

    /// The decoded text of a string value that starts with `prefix`, `nil` for any other value. Most values are
    /// ruled out from their first bytes, without decoding.
    /// - Parameter prefix: ASCII text.
    public func stringValue(startingWith prefix: String) -> String? {
        let head = self.rawBytes.dropFirst().prefix(prefix.utf8.count)
        let headIsText = !head.contains { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") }
        guard self.kind == .string, !headIsText || head.elementsEqual(prefix.utf8) else {
            return nil
        }
        return self.stringValue.flatMap { $0.hasPrefix(prefix) ? $0 : nil }
    }

    /// The value's canonical JSON text per RFC 8785 (JCS), as UTF-8: no whitespace, object
    /// members sorted by the UTF-16 code units of their names, minimal string escapes, and
    /// numbers as ECMAScript prints the nearest IEEE double.
    /// - Throws: ``SealgateJSONError`` with code ``SealgateJSONError/Code/numberNotExact`` if a
    ///   number's canonical form would denote another value than its text (more precision than
    ///   a double holds, out of range, or underflowing to zero), or
    ///   ``SealgateJSONError/Code/invalidJSON`` if an object has a member name twice
    ///   (RFC 8785 requires I-JSON, which forbids that).
    public func canonicalJSON() throws(SealgateJSONError) -> [UInt8] {
        try JSONCanonicalizer.canonicalize(self.rawBytes, byteOffset: self.byteOffset, rulePath: self.rulePath)
    }
}
