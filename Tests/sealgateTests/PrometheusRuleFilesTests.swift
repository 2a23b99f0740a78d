import Foundation
import Testing
import Yams

/// The two shipped copies of the alert rules must not drift apart.
@Suite("Prometheus rule files")
struct PrometheusRuleFilesTests {
    /// A YAML file's value at `keys`, rendered as canonical JSON text so that it compares by content.
    static func canonical(_ path: String, at keys: [String]) throws -> String {
        let text = try String(contentsOf: ConfigExampleTests.root.appendingPathComponent(path), encoding: .utf8)
        var value = try #require(try Yams.load(yaml: text))
        for key in keys { value = try #require((value as? [String: Any])?[key], "\(path) has no \(key)") }
        return String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test("config/prometheus/sealgate-rules.yaml has exactly the groups of the Kubernetes PrometheusRule")
    func ruleFileMatchesPrometheusRule() throws {
        let ruleFile = try Self.canonical("config/prometheus/sealgate-rules.yaml", at: ["groups"])
        let prometheusRule = try Self.canonical("config/kubernetes/prometheusrule.yaml", at: ["spec", "groups"])
        #expect(ruleFile == prometheusRule)
        #expect(ruleFile.contains("SealgateCertificateReloadFailed"))
    }
}
