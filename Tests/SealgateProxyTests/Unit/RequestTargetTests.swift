import Testing

@testable import SealgateProxy

@Suite("Request target normalization (RFC 3986 §6.2.2)")
struct RequestTargetTests {
    @Test(
        "normalized forms",
        arguments: [
            ("/", "/"),
            ("/v1/patients", "/v1/patients"),
            ("/v1/patients/", "/v1/patients/"),
            ("//v1///patients", "/v1/patients"),
            ("/v1/./patients", "/v1/patients"),
            ("/v1/x/../patients", "/v1/patients"),
            ("/v1/patients/.", "/v1/patients/"),
            ("/v1/patients/..", "/v1/"),
            ("/%7Euser/%41%62", "/~user/Ab"),
            ("/a%2ab", "/a%2Ab"),
            ("/%2e%2e/", "invalid"),
            ("/a/%2E%2E/b", "/b"),
            ("/caf%C3%A9", "/caf%C3%A9"),
        ]
    )
    func normalizes(input: String, expected: String) {
        let target = try? RequestTarget(input)
        #expect((target.map { String($0.path) } ?? "invalid") == expected)
    }

    @Test("a path that needs no normalization is kept as sent, and the shortcut agrees with the full normalization")
    func shortcutAgreesWithNormalization() throws {
        let target = try RequestTarget("/v1/patients/...x/?q=/../")
        #expect(target.path == "/v1/patients/...x/")
        #expect(target.uri == "/v1/patients/...x/?q=/../")
        // Every path of up to 5 characters over these, and a few longer ones, through both ways.
        let alphabet: [Character] = ["/", ".", "a", "%", "2", "e", "\\"]
        var paths = ["/"]
        var frontier = ["/"]
        for _ in 1...5 {
            frontier = frontier.flatMap { prefix in alphabet.map { prefix + String($0) } }
            paths += frontier
        }
        paths += ["/a/b/c/", "/a/b/..", "/a/b/...", "/.a/b.", "/a/./", "/a//", "/%41/"]
        for path in paths {
            let shortcut = Result { try RequestTarget(path).path }.map(String.init)
            let full = Result { try RequestTarget.normalize(path: Array(path.utf8)[...]) }
            #expect(String(describing: shortcut) == String(describing: full), "\(path)")
        }
    }

    @Test("the query is kept exactly as sent and not normalized")
    func query() throws {
        let target = try RequestTarget("/a/./b?x=%2F&y=/../z")
        #expect(target.path == "/a/b")
        #expect(target.query == "x=%2F&y=/../z")
        #expect(target.uri == "/a/b?x=%2F&y=/../z")
    }

    @Test(
        "ambiguous or malformed targets are refused",
        arguments: [
            ("/a%2Fb", RequestTarget.Rejection.forbiddenEscape),
            ("/a%2fb", .forbiddenEscape),
            ("/a%5Cb", .forbiddenEscape),
            ("/a%00", .forbiddenEscape),
            ("/a\\b", .forbiddenEscape),
            ("/a%2", .malformedEscape),
            ("/a%g0", .malformedEscape),
            ("/..", .climbsAboveRoot),
            ("/a/../../b", .climbsAboveRoot),
            ("*", .notOriginForm),
            ("http://example.org/a", .notOriginForm),
            ("/a#fragment", .notOriginForm),
        ]
    )
    func refuses(input: String, rejection: RequestTarget.Rejection) {
        #expect(throws: rejection) { try RequestTarget(input) }
    }
}

@Suite("Route path patterns")
struct PathPatternTests {
    @Test(
        "prefixes match on segment boundaries; globs match segments",
        arguments: [
            ("/v1/patients", "/v1/patients", true),
            ("/v1/patients", "/v1/patients/7", true),
            ("/v1/patients", "/v1/patients/", true),
            ("/v1/patients", "/v1/patientsX", false),
            ("/v1/patients", "/v1", false),
            ("/", "/anything/at/all", true),
            ("/v1/*/records", "/v1/7/records", true),
            ("/v1/*/records", "/v1/7/8/records", false),
            ("/v1/*/records", "/v1/records", false),
            ("/v1/**", "/v1", true),
            ("/v1/**", "/v1/a/b/c", true),
            ("/v1/**/records", "/v1/a/b/records", true),
            ("/v1/**/records", "/v1/records", true),
            ("/v1/**/records", "/v1/a/b/other", false),
        ]
    )
    func matches(pattern: String, path: String, expected: Bool) throws {
        #expect(try PathPattern(pattern).matches(path: path[...]) == expected)
    }

    @Test("matching reads the path in place exactly as splitting it into segments would")
    func matchingAgreesWithSplitSegments() throws {
        let patterns = ["/", "/a", "/a/b", "/b/a", "/*", "/a/*", "/*/b", "/**", "/a/**", "/**/b", "/a/**/b", "/**/*/a", "/*/**/**"]
        // Every path of up to 6 characters over these: empty segments, path parameters, prefixes of segments.
        let alphabet: [Character] = ["/", "a", "b", ";"]
        var paths = ["/"]
        var frontier = ["/"]
        for _ in 1...6 {
            frontier = frontier.flatMap { prefix in alphabet.map { prefix + String($0) } }
            paths += frontier
        }
        // Separators are bytes: a combining mark after `/` or `;` does not hide them (Characters would merge them).
        #expect(try PathPattern("/v1/patients").matches(path: "/v1/patients;\u{301}"))
        #expect(try PathPattern("/v1/patients").matches(path: "/v1/patients/\u{301}"))
        #expect(try PathPattern("/v1/*/records").matches(path: "/v1/\u{301}/records"))
        for text in patterns {
            let pattern = try PathPattern(text)
            for path in paths {
                #expect(pattern.matches(path: path[...]) == Self.reference(text, matches: path), "\(text) on \(path)")
            }
        }
    }

    /// The definition: split both into segments (path parameters dropped), then compare segment by segment.
    private static func reference(_ pattern: String, matches path: String) -> Bool {
        let patternSegments = pattern.split(separator: "/")
        let segments = path.split(separator: "/").map { $0.split(separator: ";", omittingEmptySubsequences: false)[0] }
        guard patternSegments.contains(where: { $0.contains("*") }) else {
            return segments.count >= patternSegments.count && zip(patternSegments, segments).allSatisfy { $0 == $1 }
        }
        func glob(_ pattern: ArraySlice<Substring>, _ segments: ArraySlice<Substring>) -> Bool {
            guard let first = pattern.first else { return segments.isEmpty }
            if first == "**" {
                return (segments.startIndex...segments.endIndex).contains { glob(pattern.dropFirst(), segments[$0...]) }
            }
            guard let segment = segments.first, first == "*" || first == segment else { return false }
            return glob(pattern.dropFirst(), segments.dropFirst())
        }
        return glob(patternSegments[...], segments[...])
    }

    @Test("patterns must start with / and use * as whole segments")
    func invalidPatterns() {
        #expect(throws: PathPatternError.self) { try PathPattern("v1/patients") }
        #expect(throws: PathPatternError.self) { try PathPattern("/v1/pat*") }
    }
}
