import Foundation
import SealgateProxy
import Testing

@testable import sealgate

/// Configurations that would skip a route, and with it its rules, are refused (DESIGN.md "Lifecycle and trust
/// rules"): routes are chosen by path alone and the first match wins.
@Suite("Route order in the configuration")
struct RouteOrderConfigTests {
    static func configuration(routes: String) -> String {
        ConfigFileTests.Fixture.minimal + """
            keys:
              vault: vault
              kek: {provider: local, path: kek.json}
            routes:
            \(routes)

            """
    }

    /// The problems of a configuration with these routes (YAML list items, indented by four spaces).
    static func problems(routes: String) throws -> [ConfigProblem] {
        try ConfigFileTests.Fixture().problems(Self.configuration(routes: routes))
    }

    @Test("the issue's example: /v1/patients/x with encrypt rules after a /v1/patients prefix route is an error naming both")
    func coveredRouteWithRules() throws {
        let problems = try Self.problems(
            routes: """
                  - match: {path: /v1/patients, methods: [GET, POST]}
                  - match: {path: /v1/patients/x, methods: [POST]}
                    encrypt: [{path: $.ssn, key: pii}]
                """
        )
        #expect(problems.count == 1)
        #expect(problems.first?.line == 10)
        #expect(problems.first?.message.contains("routes[1] (/v1/patients/x) is never chosen") == true)
        #expect(problems.first?.message.contains("routes[0] (/v1/patients)") == true)
    }

    @Test("a route after a glob that always matches its paths is an error, whatever its methods")
    func coveredByGlob() throws {
        let problems = try Self.problems(
            routes: """
                  - match: {path: "/v1/*/notes/**", methods: [GET]}
                  - match: {path: /v1/patients/notes, methods: [POST]}
                """
        )
        #expect(problems.map(\.message).contains { $0.contains("routes[1] (/v1/patients/notes) is never chosen") })
    }

    @Test("an exact duplicate is an error")
    func duplicate() throws {
        let problems = try Self.problems(
            routes: """
                  - match: {path: /v1/patients}
                  - match: {path: /v1/patients/}
                """
        )
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("routes[1] (/v1/patients/) duplicates the path of routes[0] (/v1/patients)") == true)
    }

    @Test("a partial overlap of routes with different rules is a warning; the configuration loads")
    func partialOverlap() throws {
        let fixture = try ConfigFileTests.Fixture()
        let configuration = try fixture.load(
            Self.configuration(
                routes: """
                      - match: {path: "/v1/*/notes"}
                      - match: {path: "/v1/patients/*"}
                        encrypt: [{path: $.ssn, key: pii}]
                    """
            )
        )
        #expect(configuration.proxy.routes.count == 2)
        #expect(configuration.warnings.map(\.message).contains { $0.contains("routes[1] (/v1/patients/*) overlaps routes[0] (/v1/*/notes)") })
    }

    @Test("a more specific route placed first loads, with a warning that the two overlap")
    func specificFirst() throws {
        let fixture = try ConfigFileTests.Fixture()
        let configuration = try fixture.load(
            Self.configuration(
                routes: """
                      - match: {path: /v1/patients/x, methods: [POST]}
                        encrypt: [{path: $.ssn, key: pii}]
                      - match: {path: /v1/patients}
                    """
            )
        )
        #expect(configuration.proxy.routes.count == 2)
        #expect(configuration.warnings.map(\.message) == [
            "routes[1] (/v1/patients) overlaps routes[0] (/v1/patients/x) with other rules: paths both match take routes[0] (/v1/patients/x)"
        ])
    }
}
