import NIOCore
import NIOHTTP1
import SealgateCrypto
import SealgateJSON

/// Rewrites one JSON body as it streams: encrypts the values at rule paths of a request, or
/// decrypts the tokens at rule paths of a response. Every other byte passes unchanged.
struct BodyRewriter {
    typealias Mode = FieldRewriter.Mode

    private var rewriter: JSONStreamRewriter
    private let fields: FieldRewriter
    /// Whether any body byte was fed (an empty body is left alone, not parsed).
    private(set) var sawInput = false
    /// Values rewritten per key name, and tokens at rule paths that did not decrypt (decrypt mode).
    private(set) var counts = FieldRewriter.Counts()

    /// Values encrypted or tokens decrypted, per key name.
    var fieldsRewritten: [String: Int] { self.counts.rewritten }
    /// Tokens at rule paths that did not decrypt (decrypt mode).
    var undecryptableTokens: Int { self.counts.undecryptable }

    /// - Parameters:
    ///   - identityURIs: the client certificate's URI SANs, which per-tenant key templates resolve from.
    /// - Throws: `keys_unavailable` when a rule's key is not loaded, `no_key_for_identity` when a per-tenant key for
    ///   encrypting is not in the vault.
    init(rules: FieldRules, keys: FieldKeys, mode: Mode, identityURIs: [String]) throws(Problem) {
        do {
            self.fields = try FieldRewriter(rules: rules, keys: keys, mode: mode, identityURIs: identityURIs)
        } catch {
            switch error {
            case .notLoaded: throw Problem.keysUnavailable
            case .noKeyForIdentity(let template, _): throw Problem.noKeyForIdentity(template: template)
            }
        }
        self.rewriter = JSONStreamRewriter(self.fields.paths)
    }

    /// Rewrites the next chunk; the result holds every byte that can be released so far.
    mutating func rewrite(_ chunk: ByteBuffer, allocator: ByteBufferAllocator) throws(Problem) -> ByteBuffer {
        var input = chunk
        var output = allocator.buffer(capacity: chunk.readableBytes + 64)
        self.sawInput = self.sawInput || chunk.readableBytes > 0
        try self.run { rewriter, transform in try rewriter.feed(&input, into: &output, transform: transform) }
        return output
    }

    /// Ends the body: fails on a truncated document, and releases what was held back.
    mutating func finish(allocator: ByteBufferAllocator) throws(Problem) -> ByteBuffer {
        var output = allocator.buffer(capacity: 0)
        guard self.sawInput else { return output }
        try self.run { rewriter, transform in try rewriter.finish(into: &output, transform: transform) }
        return output
    }

    private mutating func run(
        _ body: (inout JSONStreamRewriter, (MatchedValue) throws -> JSONStreamRewriter.Replacement) throws -> Void
    ) throws(Problem) {
        let fields = self.fields
        // The counts are moved out for the transform and back, so they grow in place rather than being merged anew
        // on every chunk.
        var counts = FieldRewriter.Counts()
        swap(&counts, &self.counts)
        defer { swap(&counts, &self.counts) }
        do {
            try body(&self.rewriter) { value in try fields.replacement(for: value, counts: &counts) }
        } catch let error as FieldRewriteError {
            throw Problem.notAuthenticToken(rulePath: error.rulePath, offset: error.byteOffset)
        } catch let error as SealgateJSONError {
            throw Problem(jsonError: error)
        } catch {
            throw Problem.keysUnavailable
        }
    }
}

extension Problem {
    static let keysUnavailable = Problem(
        status: .serviceUnavailable,
        code: "keys_unavailable",
        detail: "the keys of this route's field rules are not available"
    )

    /// Never names the resolved key, so that a client cannot probe which tenants exist.
    static func noKeyForIdentity(template: String) -> Problem {
        Problem(
            status: .forbidden,
            code: "no_key_for_identity",
            detail: "this route encrypts with per-tenant keys (\(template)) and there is no key for the client's identity"
        )
    }

    static func notAuthenticToken(rulePath: String, offset: Int) -> Problem {
        Problem(
            status: .badRequest,
            code: "not_authentic_token",
            detail: "the sg1: string at byte \(offset) under rule \(rulePath) is not an authentic token of that rule"
        )
    }

    /// The refusal for a body the JSON rewriter rejected; its message names offsets and rule paths only.
    init(jsonError: SealgateJSONError) {
        switch jsonError.code {
        case .numberNotExact:
            self.init(
                status: .badRequest,
                code: "number_not_exact",
                detail: "the number at byte \(jsonError.byteOffset) under rule \(jsonError.rulePath ?? "?") has no exact "
                    + "IEEE double form; send it as a string"
            )
        case .ambiguousName:
            self.init(
                status: .badRequest,
                code: "ambiguous_field",
                detail: "a member name at byte \(jsonError.byteOffset) differs from the one of rule \(jsonError.rulePath ?? "?") "
                    + "in letter case only; send the exact name (or set exact_names on the route)"
            )
        case .valueTooLarge:
            self.init(status: .payloadTooLarge, code: "value_too_large", detail: jsonError.message)
        default:
            self.init(status: .badRequest, code: "invalid_json", detail: "\(jsonError.message) at byte \(jsonError.byteOffset)")
        }
    }
}
