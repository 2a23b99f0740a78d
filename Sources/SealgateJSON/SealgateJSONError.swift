/// An error raised while parsing a path expression or rewriting a JSON document.
///
/// The message names positions, rule paths and expectations, never a field value, so it is
/// safe to log and to put into a problem+json `detail`. Equality and hashing use ``code`` only.
public struct SealgateJSONError: Error, Sendable {
    /// What kind of error this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidPath
            case invalidJSON
            case invalidUTF8
            case nestingTooDeep
            case truncated
            case numberNotExact
            case valueTooLarge
            case transformFailed
            case ambiguousName
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// A path expression does not follow the supported syntax.
        public static let invalidPath = Self(.invalidPath)
        /// The document is not a single RFC 8259 JSON text (including a byte order mark or trailing data).
        public static let invalidJSON = Self(.invalidJSON)
        /// The document is not valid UTF-8.
        public static let invalidUTF8 = Self(.invalidUTF8)
        /// Objects and arrays are nested deeper than the configured maximum.
        public static let nestingTooDeep = Self(.nestingTooDeep)
        /// The document ended before its JSON text was complete.
        public static let truncated = Self(.truncated)
        /// A matched number cannot be represented exactly as an IEEE double, so its canonical form
        /// would denote another value.
        public static let numberNotExact = Self(.numberNotExact)
        /// A matched value is larger than the configured maximum.
        public static let valueTooLarge = Self(.valueTooLarge)
        /// A rewriter is used again after its transform threw (the transform's own error was
        /// rethrown the first time).
        public static let transformFailed = Self(.transformFailed)

        /// A member name equals a rule's member name ignoring ASCII case but is not byte-equal (`SSN` beside a rule
        /// for `$.ssn`): a backend that matches names loosely would read a value that no rule encrypted.
        public static let ambiguousName = Self(.ambiguousName)

        /// The name of the code, such as `invalidJSON`.
        public var description: String {
            String(describing: self.base)
        }
    }

    /// What kind of error this is.
    public var code: Code
    /// The absolute byte offset in the document where the problem was found; for
    /// ``Code/invalidPath`` the byte offset in the path expression.
    public var byteOffset: Int
    /// The path expression of the rule concerned, as written in the configuration, if any.
    public var rulePath: String?
    /// A description of the problem that never contains a field value.
    public var message: String
    /// The file that raised the error.
    public var file: String
    /// The line that raised the error.
    public var line: Int

    /// Creates an error.
    /// - Parameters:
    ///   - code: What kind of error this is.
    ///   - byteOffset: Where the problem was found.
    ///   - rulePath: The path expression of the rule concerned, if any.
    ///   - message: A description that must not contain a field value.
    ///   - file: The file raising the error.
    ///   - line: The line raising the error.
    public init(
        _ code: Code,
        at byteOffset: Int,
        rulePath: String? = nil,
        _ message: String,
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.byteOffset = byteOffset
        self.rulePath = rulePath
        self.message = message
        self.file = file
        self.line = line
    }
}

extension SealgateJSONError: Hashable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
    }
}

extension SealgateJSONError: CustomStringConvertible {
    public var description: String {
        let rule = self.rulePath.map { " (rule \($0))" } ?? ""
        return "\(self.code): \(self.message) at byte offset \(self.byteOffset)\(rule)"
    }
}
