import NIOCore
import NIOHTTP1
import SealgateCrypto
import SealgateJSON

/// Rewrites one JSON body as it streams: encrypts the values at rule paths of a request, or
/// decrypts the tokens at rule paths of a response. Every other byte passes unchanged.
struct BodyRewriter {
    enum Mode {
        /// Values become tokens; a client-sent `sg1:` string must be an authentic token of its rule.
        case encrypt
        /// Tokens that decrypt with their rule's key and path become their plaintext JSON.
        case decrypt
    }

    private var rewriter: JSONStreamRewriter
    private let rules: [FieldRule]
    private let ciphers: [FieldCipher]
    private let mode: Mode
    /// Whether any body byte was fed (an empty body is left alone, not parsed).
    private(set) var sawInput = false
    /// Values encrypted or tokens decrypted, per key name.
    private(set) var fieldsRewritten: [String: Int] = [:]
    /// Tokens at rule paths that did not decrypt (decrypt mode).
    private(set) var undecryptableTokens = 0

    /// - Throws: `keys_unavailable` when a rule's key is not loaded.
    init(rules: [FieldRule], keys: FieldKeys, mode: Mode) throws(Problem) {
        var ciphers: [FieldCipher] = []
        for rule in rules {
            guard let cipher = keys[rule.key] else { throw Problem.keysUnavailable }
            ciphers.append(cipher)
        }
        self.rules = rules
        self.ciphers = ciphers
        self.mode = mode
        self.rewriter = JSONStreamRewriter(paths: rules.map(\.path))
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
        let (rules, ciphers, mode) = (self.rules, self.ciphers, self.mode)
        var rewritten: [Int] = []
        var undecryptable = 0
        let transform = { (value: MatchedValue) throws -> JSONStreamRewriter.Replacement in
            let rule = rules[value.ruleIndex]
            let cipher = ciphers[value.ruleIndex]
            let token = value.stringValue.flatMap { $0.hasPrefix(Token.prefix) ? $0 : nil }
            switch mode {
            case .encrypt:
                if let token {
                    // Idempotent re-sends: only an authentic token of this rule passes, unchanged.
                    guard (try? cipher.open(token: token, rulePath: rule.path.description)) != nil else {
                        throw Problem.notAuthenticToken(rulePath: rule.path.description, offset: value.byteOffset)
                    }
                    return .keep
                }
                let sealed = try cipher.seal(plaintext: try value.canonicalJSON(), rulePath: rule.path.description)
                rewritten.append(value.ruleIndex)
                return .bytes(Array("\"\(sealed)\"".utf8))
            case .decrypt:
                guard let token else { return .keep }
                guard let plaintext = try? cipher.open(token: token, rulePath: rule.path.description) else {
                    undecryptable += 1
                    return .keep
                }
                rewritten.append(value.ruleIndex)
                return .bytes(plaintext)
            }
        }
        defer {
            for index in rewritten { self.fieldsRewritten[rules[index].key, default: 0] += 1 }
            self.undecryptableTokens += undecryptable
        }
        do {
            try body(&self.rewriter, transform)
        } catch let problem as Problem {
            throw problem
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
        case .valueTooLarge:
            self.init(status: .payloadTooLarge, code: "value_too_large", detail: jsonError.message)
        default:
            self.init(status: .badRequest, code: "invalid_json", detail: jsonError.message)
        }
    }
}
