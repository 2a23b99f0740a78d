import Foundation
import SealgateProxy

/// Rewrites standard input to standard output: one JSON document, or NDJSON line by line.
enum StandardStreamRewrite {
    /// Runs `fields` over standard input.
    /// - Parameters:
    ///   - fields: The route's rewriter.
    ///   - ndjson: Whether standard input is NDJSON (one document per line, blank lines kept).
    /// - Returns: What was rewritten.
    /// - Throws: ``CommandFailure`` naming the line (NDJSON), byte offset and rule path of the first error.
    static func run(_ fields: FieldRewriter, ndjson: Bool) throws -> FieldRewriter.Counts {
        var counts = FieldRewriter.Counts()
        let output = FileHandle.standardOutput
        guard ndjson else {
            let document = Array(try FileHandle.standardInput.readToEnd() ?? Data())
            guard document.contains(where: { ![0x20, 0x09, 0x0D, 0x0A].contains($0) }) else {
                throw CommandFailure("standard input holds no JSON document")
            }
            do {
                try output.write(contentsOf: try fields.rewrite(document: document, counts: &counts))
            } catch {
                throw CommandFailure(ErrorText.describe(error))
            }
            return counts
        }
        var reader = LineReader(.standardInput)
        var number = 0
        while let (line, terminated) = try reader.next() {
            number += 1
            let rewritten: [UInt8]
            do {
                rewritten = try fields.rewrite(document: line, counts: &counts)
            } catch {
                throw CommandFailure("line \(number): \(ErrorText.describe(error))")
            }
            try output.write(contentsOf: terminated ? rewritten + [UInt8(ascii: "\n")] : rewritten)
        }
        return counts
    }
}
