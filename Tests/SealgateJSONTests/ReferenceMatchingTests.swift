import Foundation
import Testing

@testable import SealgateJSON

/// Checks the streaming matcher against a plain reference: every value of the document with
/// its key path, matched by trying each rule's segments on that path.
@Suite struct ReferenceMatchingTests {
    private enum Key {
        case name([UInt8])
        case index(Int)
    }

    private static let rules = DocumentGenerator.rules + [
        "$..*", "$.*.a", "$[*]", "$..[0]", "$..contacts[1]", "$.b.*.ssn", "$..items..phone", "$",
    ]

    @Test(arguments: [[0, 1, 2], [3, 4, 5, 6], [7, 8, 9], [10, 11, 12], [13, 14], [1, 14]])
    func matchesLikeTheReference(ruleSet: [Int]) throws {
        let texts = ruleSet.map { Self.rules[$0] }
        let paths = try paths(texts)
        var generator = DocumentGenerator(seed: UInt64(ruleSet.reduce(0) { $0 * 31 + $1 }))
        var total = 0
        for _ in 0..<150 {
            let document = generator.document()
            let chunkSize = Int.random(in: 1...32, using: &generator.random)
            var found: [[Int]] = []
            _ = try rewrite(document, paths: paths, chunkSize: chunkSize) { value in
                found.append([value.ruleIndex, value.byteOffset, value.rawBytes.count])
                return .keep
            }
            let expected = Self.referenceMatches(document, paths: paths)
            #expect(found == expected, "\(texts) \(string(document))")
            total += expected.count
        }
        #expect(total > 0)
    }

    /// `[rule, offset, length]` of the outermost matched values, in document order.
    private static func referenceMatches(_ document: [UInt8], paths: [JSONPath]) -> [[Int]] {
        var values: [(keys: [Key], start: Int, end: Int)] = []
        var index = 0
        Self.parseValue(document, &index, keys: [], into: &values)
        var matches: [[Int]] = []
        var matchedUntil = 0
        for value in values where value.start >= matchedUntil {
            if let rule = paths.firstIndex(where: { Self.matches($0.segments[...], value.keys[...]) }) {
                matches.append([rule, value.start, value.end - value.start])
                matchedUntil = value.end
            }
        }
        return matches
    }

    private static func matches(_ segments: ArraySlice<JSONPath.Segment>, _ keys: ArraySlice<Key>) -> Bool {
        guard let segment = segments.first else {
            return keys.isEmpty
        }
        let starts = segment.isRecursive ? Array(keys.indices) : Array(keys.indices.prefix(1))
        return starts.contains { start in
            Self.selects(segment.selector, keys[start]) && Self.matches(segments.dropFirst(), keys[(start + 1)...])
        }
    }

    private static func selects(_ selector: JSONPath.Segment.Selector, _ key: Key) -> Bool {
        switch (selector, key) {
        case (.wildcard, _): true
        case (.name(let expected), .name(let name)): expected == name
        case (.index(let expected), .index(let index)): expected == index
        default: false
        }
    }

    /// Records every value of a valid document in pre-order, with its key path and byte range.
    private static func parseValue(_ bytes: [UInt8], _ index: inout Int, keys: [Key], into values: inout [(keys: [Key], start: Int, end: Int)]) {
        Self.skipWhitespace(bytes, &index)
        let position = values.count
        let start = index
        values.append((keys, start, start))
        switch bytes[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let isObject = bytes[index] == UInt8(ascii: "{")
            index += 1
            var count = 0
            while true {
                Self.skipWhitespace(bytes, &index)
                if bytes[index] == UInt8(ascii: "}") || bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    break
                }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    Self.skipWhitespace(bytes, &index)
                }
                var key = Key.index(count)
                if isObject {
                    let nameStart = index
                    Self.skipString(bytes, &index)
                    let name = try! JSONDecoder().decode(String.self, from: Data(bytes[nameStart..<index]))
                    key = .name(Array(name.utf8))
                    Self.skipWhitespace(bytes, &index)
                    index += 1  // ':'
                }
                Self.parseValue(bytes, &index, keys: keys + [key], into: &values)
                count += 1
            }
        case UInt8(ascii: "\""):
            Self.skipString(bytes, &index)
        default:
            while index < bytes.count, !Array(" \t\r\n,]}".utf8).contains(bytes[index]) {
                index += 1
            }
        }
        values[position].end = index
    }

    private static func skipString(_ bytes: [UInt8], _ index: inout Int) {
        index += 1
        while bytes[index] != UInt8(ascii: "\"") {
            index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
        }
        index += 1
    }

    private static func skipWhitespace(_ bytes: [UInt8], _ index: inout Int) {
        while index < bytes.count, Array(" \t\r\n".utf8).contains(bytes[index]) {
            index += 1
        }
    }
}
