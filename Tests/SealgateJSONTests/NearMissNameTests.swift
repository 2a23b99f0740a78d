import NIOCore
import SealgateJSON
import Testing

/// Member names that equal a rule's ignoring ASCII case but are not byte-equal, over every chunk size.
@Suite("Near-miss member names")
struct NearMissNameTests {
    static let rules = ["$.ssn", "$.contacts[*].phone", "$.card.number"]

    /// The error of rewriting `document` in chunks with near-miss names refused, if any.
    static func refusal(_ document: String, chunkSize: Int, refusing: Bool = true) throws -> SealgateJSONError? {
        let compiled = JSONStreamRewriter.CompiledPaths(try paths(Self.rules), refusesNearMissNames: refusing)
        var rewriter = JSONStreamRewriter(compiled)
        var output = ByteBuffer()
        let bytes = Array(document.utf8)
        do {
            for start in stride(from: 0, to: bytes.count, by: min(chunkSize, bytes.count)) {
                var chunk = ByteBuffer(bytes: bytes[start..<min(start + chunkSize, bytes.count)])
                try rewriter.feed(&chunk, into: &output, transform: showMatch)
            }
            try rewriter.finish(into: &output, transform: showMatch)
            return nil
        } catch {
            return error as? SealgateJSONError
        }
    }

    @Test(
        "a near miss at a rule's place is refused, naming the rule",
        arguments: [
            (#"{"SSN": "078-05-1120"}"#, "$.ssn"),
            (#"{"a": 1, "Ssn": 2}"#, "$.ssn"),
            (#"{"\u0053SN": "x"}"#, "$.ssn"),
            (#"{"contacts": [{"type": "home"}, {"PHONE": "+44"}]}"#, "$.contacts[*].phone"),
            (#"{"card": {"Number": 4111}}"#, "$.card.number"),
            // An inner step counts too: a loose reader would take Card.number for card.number.
            (#"{"Card": {"number": 4111}}"#, "$.card.number"),
        ],
        chunkSizes
    )
    func refused(document: (String, String), chunkSize: Int) throws {
        let error = try Self.refusal(document.0, chunkSize: chunkSize)
        #expect(error?.code == .ambiguousName)
        #expect(error?.rulePath == document.1)
    }

    @Test(
        "exact names, near misses elsewhere and other names pass",
        arguments: [
            #"{"ssn": "078-05-1120", "Name": "Ada"}"#,
            #"{"tags": [{"SSN": "x"}], "profile": {"Ssn": 1}}"#,
            #"{"ssnX": 1, "SS": 2}"#,
        ],
        chunkSizes
    )
    func accepted(document: String, chunkSize: Int) throws {
        #expect(try Self.refusal(document, chunkSize: chunkSize) == nil)
    }

    @Test("without the check (exact_names) a near miss passes untouched", arguments: chunkSizes)
    func exactNames(chunkSize: Int) throws {
        #expect(try Self.refusal(#"{"SSN": "078-05-1120"}"#, chunkSize: chunkSize, refusing: false) == nil)
    }
}
