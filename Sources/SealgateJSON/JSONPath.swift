/// A path expression that selects values in a JSON document, parsed once when the
/// configuration is loaded.
///
/// Supported forms, freely combined after the root `$`:
/// - `.name` and `['name']` or `["name"]`: the member `name` of an object. Quoted names take
///   the escapes `\'`, `\"` and `\\`; unquoted names are letters, digits, `_`, `-` and
///   non-ASCII characters.
/// - `[0]`: the array element at index 0 (indices count from 0; negative indices are not supported).
/// - `[*]` and `.*`: every member of an object and every element of an array.
/// - `..name`, `..*`, `..[…]`: recursive descent, the selector applied at any depth below.
///
/// `$` alone selects the whole document. Member names are compared with a document's member
/// names after their escapes are decoded, code point by code point (no Unicode normalization).
public struct JSONPath: Sendable, Hashable {
    /// One step of a path: a selector, applied to the children of the current value or, when
    /// recursive, to all of its descendants.
    struct Segment: Sendable, Hashable {
        enum Selector: Sendable, Hashable {
            /// A member name, as UTF-8.
            case name([UInt8])
            case index(Int)
            case wildcard
        }

        var selector: Selector
        var isRecursive: Bool
    }

    /// The path expression exactly as written; the crypto layer uses it in associated data.
    public let description: String
    let segments: [Segment]

    /// Parses a path expression.
    /// - Parameters:
    ///   - text: The expression, such as `$.contacts[*].phone`.
    /// - Throws: ``SealgateJSONError`` with code ``SealgateJSONError/Code/invalidPath`` naming
    ///   the column of the problem.
    public init(_ text: String) throws(SealgateJSONError) {
        var parser = Parser(text)
        self.segments = try parser.parse()
        self.description = text
    }
}

extension JSONPath: CustomStringConvertible {}
