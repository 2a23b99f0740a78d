import Foundation
import Testing

@testable import SealgateProxy

@Suite("JSON string quoting and request ids")
struct JSONStringAndRequestIDTests {
    @Test(
        "quoted strings parse back to the original with JSONSerialization",
        arguments: [
            "", "plain", "spiffe://example.org/ns/a/sa/b", #"quote " and backslash \"#, "lines\nand\rreturns\tand tabs",
            "\u{0}\u{1}\u{1f}\u{7f}", "naïve café 東京 🚀", "mixed \"é\"\n\u{1b}[31m",
        ]
    )
    func quoteRoundTrips(value: String) throws {
        let quoted = JSONString.quote(value)
        let parsed = try JSONSerialization.jsonObject(with: Data("[\(quoted)]".utf8)) as? [String]
        #expect(parsed == [value])
        #expect(!quoted.dropFirst().dropLast().contains { $0.unicodeScalars.contains { $0.value < 0x20 } }, "no raw control character")
    }

    @Test("request ids are 32 lower-case hex digits, and 10,000 of them are all different")
    func requestIDs() {
        let ids = (0..<10_000).map { _ in RequestID.generate() }
        #expect(ids.allSatisfy { $0.utf8.count == 32 && $0.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } })
        #expect(Set(ids).count == ids.count)
        // Every hex digit appears in every position now and then: the bytes are not constant or truncated.
        for position in [0, 15, 16, 31] {
            let digits = Set(ids.map { Array($0.utf8)[position] })
            #expect(digits.count == 16, "position \(position)")
        }
    }
}
