import Foundation
import SealgateProxy
import Testing

@testable import sealgate

@Suite("upstream.health configuration")
struct UpstreamHealthConfigTests {
    typealias Fixture = ConfigFileTests.Fixture

    static func upstream(_ health: String) -> String {
        Fixture.minimal.replacingOccurrences(
            of: #"upstream: {url: "http://127.0.0.1:8080"}"#,
            with: #"upstream: {url: "http://127.0.0.1:8080", health: \#(health)}"#
        )
    }

    @Test("probes, intervals and thresholds load; none by default")
    func loads() throws {
        let fixture = try Fixture()
        #expect(try fixture.load(Fixture.minimal).proxy.upstream.health == nil)
        let http = try fixture.load(Self.upstream("{http: /healthz, interval: 2s, unhealthy_after: 4}")).proxy.upstream.health
        #expect(http == UpstreamHealthConfiguration(probe: .http(path: "/healthz"), interval: .seconds(2), unhealthyAfter: 4))
        let tcp = try fixture.load(Self.upstream("{tcp: true}")).proxy.upstream.health
        #expect(tcp == UpstreamHealthConfiguration(probe: .tcp, interval: .seconds(5), unhealthyAfter: 3))
    }

    @Test(
        "a health check that cannot mean anything is refused, naming the key",
        arguments: [
            ("{}", "upstream.health needs exactly one of tcp: true or http: /path"),
            ("{tcp: true, http: /x}", "upstream.health needs exactly one of tcp: true or http: /path"),
            ("{tcp: false}", "upstream.health.tcp must be true"),
            ("{http: healthz}", "upstream.health.http must be a path starting with /"),
            ("{http: /x, unhealthy_after: 0}", "upstream.health.unhealthy_after"),
            ("{http: /x, every: 1s}", "unknown key 'every' in upstream.health"),
        ]
    )
    func refused(health: String, message: String) throws {
        let problems = try Fixture().problems(Self.upstream(health))
        #expect(problems.contains { "\($0)".contains(message) }, "\(problems)")
    }
}
