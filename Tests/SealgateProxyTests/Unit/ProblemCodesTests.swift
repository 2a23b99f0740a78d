import Foundation
import Testing

@testable import SealgateProxy

@Suite("Problem codes")
struct ProblemCodesTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/SealgateProxy")

    @Test("Problem.codes lists every code the sources answer with, so each rejection series starts at 0")
    func everyCodeIsListed() throws {
        var found = Set<String>()
        let files = try #require(FileManager.default.enumerator(atPath: Self.sources.path))
        let pattern = try Regex(#"(?:code: |badRequest\()"([a-z_]+)""#)
        for case let file as String in files where file.hasSuffix(".swift") {
            let text = try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: pattern) {
                if let code = match.output[1].substring { found.insert(String(code)) }
            }
        }
        #expect(found.count > 15)
        #expect(found.subtracting(Problem.codes).isEmpty, "missing from Problem.codes: \(found.subtracting(Problem.codes).sorted())")
    }
}
