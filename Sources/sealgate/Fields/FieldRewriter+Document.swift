import SealgateJSON
import SealgateProxy

extension FieldRewriter {
    /// Rewrites one JSON document or NDJSON line; a line of whitespace only is returned as it is.
    /// - Parameters:
    ///   - document: The document's bytes.
    ///   - counts: Updated with what was done.
    /// - Throws: ``SealgateJSONError``, ``FieldRewriteError`` or the cipher's error.
    func rewrite(document: [UInt8], counts: inout Counts) throws -> [UInt8] {
        let blank = document.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        guard !blank else { return document }
        return try JSONStreamRewriter.rewrite(document, paths: self.paths) { value in
            try self.replacement(for: value, counts: &counts)
        }
    }
}
