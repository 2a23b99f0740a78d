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

    /// The pattern as a glob: a prefix is its segments followed by `**`.
    var globSegments: [Substring] {
        switch self.kind {
        case .prefix(let segments): segments + ["**"]
        case .glob(let segments): segments
        }
    }

    /// Whether a normalized path (without query) matches. Path parameters (`;x=1`) are ignored,
    /// since backends such as Tomcat route `/v1/patients;x=1` as `/v1/patients`. The path is read in place, segment
    /// by segment, without splitting it into an array.
    public func matches(path: Substring) -> Bool {
        switch self.kind {
        case .prefix(let prefix):
            var rest = path
            return prefix.allSatisfy { $0 == Self.takeSegment(from: &rest) }
        case .glob(let glob):
            return Self.glob(glob[...], matches: path)
        }
    }

    /// Takes the next segment off a path, without its path parameters; nil when no segment is left. Empty segments
    /// (`//`) are skipped.
    private static func takeSegment(from path: inout Substring) -> Substring? {
        let slash = UInt8(ascii: "/")
        guard let start = path.utf8.firstIndex(where: { $0 != slash }) else {
            path = path[path.endIndex...]
            return nil
        }
        let end = path[start...].utf8.firstIndex(of: slash) ?? path.endIndex
        let segment = path[start..<end]
        path = path[end...]
        return segment.utf8.firstIndex(of: UInt8(ascii: ";")).map { segment[..<$0] } ?? segment
    }

    private static func glob(_ pattern: ArraySlice<Substring>, matches path: Substring) -> Bool {
        var rest = path
        guard let first = pattern.first else { return takeSegment(from: &rest) == nil }
        if first == "**" {
            // Any number of segments, zero included.
            while true {
                if glob(pattern.dropFirst(), matches: rest) { return true }
                guard takeSegment(from: &rest) != nil else { return false }
            }
        }
        guard let segment = takeSegment(from: &rest), first == "*" || first == segment else { return false }
        return glob(pattern.dropFirst(), matches: rest)
    }
}

/// A route path pattern that cannot be used.
public struct PathPatternError: Error, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    public var description: String { self.message }
}
