import NIOHTTP1

/// The body rules of DESIGN.md for routes with field rules: which media types and codings are JSON.
enum JSONMediaType {
    /// Whether a `Content-Type` value is `application/json` or `application/*+json`, with no
    /// parameter other than `charset=utf-8` (case-insensitive).
    static func accepts(_ value: String) -> Bool {
        // The usual spelling, answered without splitting and lower-casing.
        if value == "application/json" { return true }
        let parts = value.split(separator: ";", omittingEmptySubsequences: false)
        let essence = parts[0].trimmedOWS.lowercased()
        guard essence.hasPrefix("application/") else { return false }
        let subtype = essence.dropFirst("application/".count)
        guard subtype == "json" || (subtype.hasSuffix("+json") && subtype.count > 5 && !subtype.contains("/")) else {
            return false
        }
        return parts.dropFirst().allSatisfy { parameter in
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmedOWS.lowercased() }
            return pair.count == 2 && pair[0] == "charset" && (pair[1] == "utf-8" || pair[1] == "\"utf-8\"")
        }
    }

    /// The refusal for a request body that cannot be rewritten, or nil when it can.
    static func refusal(for headers: HTTPHeaders) -> Problem? {
        let types = headers["content-type"]
        guard types.count == 1, self.accepts(types[0]) else {
            return Problem(
                status: .unsupportedMediaType,
                code: "unsupported_media_type",
                detail: types.count > 1
                    ? "the request has more than one Content-Type"
                    : "this route takes application/json or application/*+json bodies (charset utf-8 only)"
            )
        }
        guard self.isIdentityCoded(headers) else {
            return Problem(
                status: .unsupportedMediaType,
                code: "unsupported_media_type",
                detail: "compressed bodies are not accepted on this route: send Content-Encoding identity"
            )
        }
        return nil
    }

    /// Whether a message has no content coding other than `identity`.
    static func isIdentityCoded(_ headers: HTTPHeaders) -> Bool {
        headers["content-encoding"].flatMap { $0.split(separator: ",") }.allSatisfy { $0.trimmedOWS.lowercased() == "identity" }
    }
}
