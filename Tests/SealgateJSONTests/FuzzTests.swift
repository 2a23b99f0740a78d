import NIOCore
import SealgateJSON
import Testing

/// Random mutations of generated documents, with a seeded generator so that failures repeat.
@Suite struct FuzzTests {
    private static let marker = Array(#""MARK""#.utf8)
    private let rules = try! paths(DocumentGenerator.rules)

    @Test(arguments: [1, 2, 3])
    func mutationsNeverLeakAMatchedValue(seed: UInt64) throws {
        var generator = DocumentGenerator(seed: seed)
        var succeeded = 0
        for _ in 0..<1000 {
            let document = generator.mutate(generator.document())
            let chunkSize = Int.random(in: 1...16, using: &generator.random)
            let whole = self.outcome(document, chunkSize: .max)
            let chunked = self.outcome(document, chunkSize: chunkSize)
            #expect(whole.output == chunked.output)
            #expect(whole.error?.code == chunked.error?.code && whole.error?.byteOffset == chunked.error?.byteOffset)
            guard let output = whole.output else {
                continue
            }
            succeeded += 1
            // Only matched values changed, each replaced by the marker...
            #expect(output == DifferentialTests.replacing(whole.matches, in: document, with: Self.marker))
            // ...and reading the output with the same rules finds only markers.
            var rematched: [[UInt8]] = []
            _ = try rewrite(output, paths: self.rules) { value in
                rematched.append(value.rawBytes)
                return .keep
            }
            #expect(rematched == Array(repeating: Self.marker, count: whole.matches.count))
            for match in whole.matches where Self.occurrences(of: match.rawBytes, in: document) == 1 {
                #expect(Self.occurrences(of: match.rawBytes, in: output) == 0)
            }
        }
        #expect(succeeded > 50)
    }

    private func outcome(_ document: [UInt8], chunkSize: Int) -> (output: [UInt8]?, error: SealgateJSONError?, matches: [MatchedValue]) {
        var matches: [MatchedValue] = []
        do {
            let output = try rewrite(document, paths: self.rules, chunkSize: chunkSize) { value in
                matches.append(value)
                return .bytes(Self.marker)
            }
            return (output, nil, matches)
        } catch {
            return (nil, error as? SealgateJSONError, matches)
        }
    }

    private static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> Int {
        guard needle.count <= haystack.count else {
            return 0
        }
        return (0...(haystack.count - needle.count)).count { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
