/// A route's path pattern: a prefix on segment boundaries, or a glob when it contains `*`.
///
/// `/v1/patients` matches `/v1/patients` and `/v1/patients/7`, not `/v1/patientsX`.
/// In a glob, `*` matches one segment and `**` any number of segments (zero included).
public struct PathPattern: Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case prefix([Substring])
        case glob([Substring])
    }

    private let kind: Kind
    /// The pattern as written.
    public let description: String

    /// Parses a pattern; it must start with `/`.
    public init(_ pattern: String) throws(PathPatternError) {
        guard pattern.hasPrefix("/") else { throw PathPatternError(message: "a route path must start with '/'") }
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: true)
        if segments.contains(where: { $0.contains("*") }) {
            if let bad = segments.first(where: { $0.contains("*") && $0 != "*" && $0 != "**" }) {
                throw PathPatternError(message: "'\(bad)': '*' and '**' must be whole path segments")
            }
            self.kind = .glob(segments)
        } else {
            self.kind = .prefix(segments)
        }
        self.description = pattern
    }

    /// Whether a normalized path (without query) matches. Path parameters (`;x=1`) are ignored,
    /// since backends such as Tomcat route `/v1/patients;x=1` as `/v1/patients`.
    public func matches(path: Substring) -> Bool {
        self.matches(segments: Self.segments(of: path))
    }

    /// The segments of a normalized path as ``matches(segments:)`` takes them: split once, for all routes.
    static func segments(of path: Substring) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { segment -> Substring in
            segment.firstIndex(of: ";").map { segment[..<$0] } ?? segment
        }
    }

    /// Whether a path given by ``segments(of:)`` matches.
    func matches(segments: [Substring]) -> Bool {
        switch self.kind {
        case .prefix(let prefix):
            return segments.count >= prefix.count && zip(prefix, segments).allSatisfy { $0 == $1 }
        case .glob(let glob):
            return Self.glob(glob[...], matches: segments[...])
        }
    }

    private static func glob(_ pattern: ArraySlice<Substring>, matches segments: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return segments.isEmpty }
        if first == "**" {
            return segments.indices.map { segments[$0...] }.contains { glob(pattern.dropFirst(), matches: $0) }
                || glob(pattern.dropFirst(), matches: segments[segments.endIndex...])
        }
        guard let segment = segments.first, first == "*" || first == segment else { return false }
        return glob(pattern.dropFirst(), matches: segments.dropFirst())
    }
}

/// A route path pattern that cannot be used.
public struct PathPatternError: Error, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    public var description: String { self.message }
}
