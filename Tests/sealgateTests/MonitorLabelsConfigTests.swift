import Foundation
import SealgateProxy
import Testing

@testable import sealgate

/// `monitor.labels` and the Alertmanager generator URL taken from `admin.address`.
@Suite("Configuration file: monitor.labels")
struct MonitorLabelsConfigTests {
    @Test("without monitor.labels, alerts carry instance: <host name>; the generator URL is the admin /certs")
    func defaults() throws {
        let fixture = try ConfigFileTests.Fixture()
        let configuration = try fixture.load(ConfigFileTests.Fixture.minimal + "admin: {address: 127.0.0.1:9901}\n")
        #expect(configuration.monitor.labels == ["instance": ProcessInfo.processInfo.hostName])
        #expect(configuration.monitor.generatorURL == "http://127.0.0.1:9901/certs")
        #expect(try fixture.load(ConfigFileTests.Fixture.minimal).monitor.generatorURL == nil)
    }

    @Test("monitor.labels replaces the default labels")
    func configured() throws {
        let fixture = try ConfigFileTests.Fixture()
        let configuration = try fixture.load(ConfigFileTests.Fixture.minimal + "monitor:\n  labels: {cluster: eu-1, team: payments}\n")
        #expect(configuration.monitor.labels == ["cluster": "eu-1", "team": "payments"])
    }

    @Test("label names sealgate sets itself, or that are not label names, are refused with their line")
    func refused() throws {
        let fixture = try ConfigFileTests.Fixture()
        let problems = fixture.problems(ConfigFileTests.Fixture.minimal + "monitor:\n  labels:\n    severity: low\n    bad-name: x\n")
        #expect(problems.map(\.message) == [
            "monitor.labels.severity is set by sealgate on each alert", "monitor.labels: keys must be label names like instance or cluster",
        ])
        #expect(problems.map(\.line) == [7, 8])
    }
}
