import Foundation
import SealgateJSON
import Testing

/// Compares the rewriter with Foundation's `JSONSerialization` on generated documents.
///
/// Intentional differences, each checked below: Foundation accepts a UTF-8 byte order mark,
/// a trailing comma before `]` or `}`, and UTF-16/UTF-32 documents, which RFC 8259 (and the
/// sealgate design) forbid; it refuses numbers beyond the range of a double (`1e400`), which
/// RFC 8259 allows; the rewriter refuses such a number only at a rule path (`numberNotExact`).
/// At a rule path, canonicalization also refuses what Foundation reads with a loss or a choice:
/// numbers more precise than a double (`9007199254740993`) and objects with a member name twice
/// (see `CanonicalJSONTests`).
@Suite struct DifferentialTests {
    private let rules = try! paths(DocumentGenerator.rules)

    @Test func validDocumentsAgree() throws {
        var generator = DocumentGenerator(seed: 8259)
        var matchCount = 0
        for _ in 0..<300 {
            let document = generator.document()
            #expect(Self.foundationParse(document) != nil, "\(string(document))")
            var matches: [MatchedValue] = []
            let output = try rewrite(document, paths: self.rules) { value in
                matches.append(value)
                return .bytes(Array(#""MARK""#.utf8))
            }
            #expect(output == Self.replacing(matches, in: document, with: Array(#""MARK""#.utf8)))
            for match in matches {
                let canonical = try match.canonicalJSON()
                #expect(Self.foundationParse(canonical) == Self.foundationParse(match.rawBytes), "\(string(match.rawBytes))")
            }
            matchCount += matches.count
            #expect(try rewrite(document, paths: self.rules) { _ in .keep } == document)
        }
        #expect(matchCount > 100)
    }

    @Test func mutatedDocumentsAgree() {
        var generator = DocumentGenerator(seed: 7159)
        var decisions = (accepted: 0, rejected: 0, explained: 0)
        for _ in 0..<1500 {
            let document = generator.mutate(generator.document())
            let error = rewriteError(document)
            let foundationAccepts = Self.foundationParse(document) != nil
            switch (error, foundationAccepts) {
            case (nil, true): decisions.accepted += 1
            case (.some, false): decisions.rejected += 1
            case (.some(let error), true):
                #expect(
                    Self.isTrailingComma(error, in: document) || Self.hasByteOrderMark(error, in: document)
                        || Self.looksLikeUTF16(document),
                    "\(error) \(document)"
                )
                decisions.explained += 1
            case (nil, false):
                #expect(Self.hasNumberBeyondDouble(document), "\(string(document))")
                decisions.explained += 1
            }
        }
        #expect(decisions.accepted > 50 && decisions.rejected > 500)
    }

    @Test func knownDifferences() throws {
        let differences: [(document: [UInt8], foundationAccepts: Bool)] = [
            ([0xEF, 0xBB, 0xBF] + Array("{}".utf8), true),
            (Array("[1,]".utf8), true),
            (Array(#"{"a":1,}"#.utf8), true),
            (Array("[1e400]".utf8), false),
            (Array("{}".utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }, true),
        ]
        for (document, foundationAccepts) in differences {
            #expect((Self.foundationParse(document) != nil) == foundationAccepts)
            #expect((rewriteError(document) == nil) == !foundationAccepts)
        }
    }

    /// A JSON value as Foundation reads it, comparable (booleans read as the numbers 0 and 1).
    private enum Value: Equatable {
        case object([String: Value]), array([Value]), string(String), number(Double), null
    }

    private static func foundationParse(_ bytes: [UInt8]) -> Value? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
            return nil
        }
        return Self.value(object)
    }

    private static func value(_ object: Any) -> Value {
        switch object {
        case let object as [String: Any]: .object(object.mapValues(Self.value))
        case let array as [Any]: .array(array.map(Self.value))
        case let string as String: .string(string)
        case let number as NSNumber: .number(number.doubleValue)
        default: .null
        }
    }

    /// The document with each matched value replaced, built from the matches' offsets.
    static func replacing(_ matches: [MatchedValue], in document: [UInt8], with marker: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var position = 0
        for match in matches {
            #expect(Array(document[match.byteOffset...].prefix(match.rawBytes.count)) == match.rawBytes)
            output += document[position..<match.byteOffset] + marker
            position = match.byteOffset + match.rawBytes.count
        }
        return output + document[position...]
    }

    private static func isTrailingComma(_ error: SealgateJSONError, in document: [UInt8]) -> Bool {
        let before = document[..<error.byteOffset].last { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }
        return error.code == .invalidJSON && before == UInt8(ascii: ",")
            && [UInt8(ascii: "]"), UInt8(ascii: "}")].contains(document[error.byteOffset])
    }

    private static func hasByteOrderMark(_ error: SealgateJSONError, in document: [UInt8]) -> Bool {
        error.byteOffset == 0 && document.starts(with: [0xEF, 0xBB, 0xBF])
    }

    /// Foundation reads a document with a zero byte among its first four as UTF-16 or UTF-32.
    private static func looksLikeUTF16(_ document: [UInt8]) -> Bool {
        document.prefix(4).contains(0)
    }

    /// Whether a valid document has a number outside strings that is too large for a double.
    private static func hasNumberBeyondDouble(_ document: [UInt8]) -> Bool {
        var inString = false
        var escaped = false
        var number = ""
        for byte in document + [0x20] {
            if inString {
                (inString, escaped) = (escaped || byte != UInt8(ascii: "\""), !escaped && byte == UInt8(ascii: "\\"))
            } else if Array("0123456789+-.eE".utf8).contains(byte) {
                number.append(Character(Unicode.Scalar(byte)))
            } else {
                if Double(number)?.isInfinite == true {
                    return true
                }
                number = ""
                inString = byte == UInt8(ascii: "\"")
            }
        }
        return false
    }
}
