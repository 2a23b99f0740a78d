import Testing

@testable import SealgateProxy

/// Which route patterns cover or overlap others, as tables of (earlier, later).
@Suite("Route pattern coverage")
struct PathPatternCoverageTests {
    @Test(
        "covers: every path of the later pattern is matched by the earlier one",
        arguments: [
            ("/v1/patients", "/v1/patients/x", true),
            ("/v1/patients", "/v1/patients", true),
            ("/v1/patients", "/v1/patients/*/notes", true),
            ("/v1/patients", "/v1/patients/**", true),
            ("/", "/anything/at/all", true),
            ("/v1/*", "/v1/patients", false),
            ("/v1/*/x/**", "/v1/patients/x", true),
            // A prefix goes on below its last segment (`/v1/patients/x/7`); this glob does not.
            ("/v1/*/x", "/v1/patients/x", false),
            ("/v1/**", "/v1/*/x", true),
            ("/v1/**/x", "/v1/a/*/x", true),
            ("/v1/patients/x", "/v1/patients", false),
            ("/v1/patients", "/v1/patientsX", false),
            ("/v1/*", "/v1/**", false),
            ("/v1/*", "/v1/*", true),
            ("/v1/a", "/v1/*", false),
            ("/v1/**/x", "/v1/**", false),
        ]
    )
    func covers(earlier: String, later: String, expected: Bool) throws {
        #expect(try PathPattern(earlier).covers(PathPattern(later)) == expected)
    }

    @Test(
        "overlaps: some path is matched by both",
        arguments: [
            ("/v1/*/notes", "/v1/patients/*", true),
            ("/v1/**/notes", "/v1/patients", true),
            ("/v1/a/*", "/v1/b/*", false),
            ("/v1/**/x", "/v1/**/y", false),
            ("/v1/*", "/v1/a/b", false),
            ("/v1", "/v2", false),
        ]
    )
    func overlaps(a: String, b: String, expected: Bool) throws {
        #expect(try PathPattern(a).overlaps(PathPattern(b)) == expected)
        #expect(try PathPattern(b).overlaps(PathPattern(a)) == expected)
    }
}
