import SealgateCrypto
import SealgateJSON

/// What one route's field rules do to a matched value: the transform shared by the proxy's bodies and the
/// `encrypt`, `decrypt` and `reencrypt` commands, so that tokens and refusals are the same everywhere.
public struct FieldRewriter: Sendable {
    /// What the rewriter does to the values at rule paths.
    public enum Mode: Sendable, Hashable {
        /// Values become tokens; an `sg1:` string must be an authentic token of its rule, and is kept unchanged.
        case encrypt
        /// Tokens that decrypt with their rule's key and path become their plaintext JSON; others are kept.
        case decrypt
        /// Tokens whose key id is not the primary's are opened and sealed again with the primary; other values
        /// are kept. A token that does not open is an error.
        case reencrypt
    }

    /// How many values a rewriter changed and left.
    public struct Counts: Sendable, Hashable {
        /// Values encrypted, decrypted or re-sealed, per key name.
        public var rewritten: [String: Int] = [:]
        /// Tokens at rule paths that did not decrypt (decrypt mode).
        public var undecryptable = 0

        /// No values yet.
        public init() {}
    }

    /// The rules' paths, compiled for a ``JSONStreamRewriter``; encrypting also refuses near-miss member names
    /// unless the route asks for exact names.
    public var paths: JSONStreamRewriter.CompiledPaths {
        self.mode == .encrypt ? self.rules.requestPaths : self.rules.compiledPaths
    }
    private let rules: FieldRules
    /// Each rule's cipher; nil for a per-tenant key the client's identity does not resolve to a loaded key
    /// (decrypting), or one chosen per token (re-encrypting).
    private let ciphers: [FieldCipher?]
    private let keys: FieldKeys
    private let mode: Mode

    /// Creates the transform of a route's rules for one client.
    /// - Parameters:
    ///   - rules: The route's field rules.
    ///   - keys: The loaded keys.
    ///   - mode: What to do to matched values.
    ///   - identityURIs: The client certificate's URI SANs, which per-tenant key templates resolve from.
    /// - Throws: ``KeyResolutionError/notLoaded(_:)`` if a rule's key is not loaded;
    ///   ``KeyResolutionError/noKeyForIdentity(template:resolved:)`` when encrypting with a per-tenant key that the
    ///   identity does not resolve to a loaded key.
    public init(rules: FieldRules, keys: FieldKeys, mode: Mode, identityURIs: [String] = []) throws(KeyResolutionError) {
        var ciphers: [FieldCipher?] = []
        ciphers.reserveCapacity(rules.rules.count)
        for (rule, template) in zip(rules.rules, rules.templates) {
            guard let template else {
                guard let cipher = keys[rule.key] else { throw .notLoaded(rule.key) }
                ciphers.append(cipher)
                continue
            }
            guard !keys.isEmpty else { throw .notLoaded(rule.key) }
            let resolved = mode == .reencrypt ? nil : template.resolve(uris: identityURIs)
            let cipher = resolved.flatMap { keys[$0] }
            if mode == .encrypt, cipher == nil { throw .noKeyForIdentity(template: template.description, resolved: resolved) }
            ciphers.append(cipher)
        }
        self.rules = rules
        self.ciphers = ciphers
        self.keys = keys
        self.mode = mode
    }

    /// The cipher of rule `index` for a value: the rule's, or for a per-tenant rule being re-encrypted, that of the
    /// token's own key when the template can resolve to it.
    private func cipher(_ index: Int, token: String?) -> FieldCipher? {
        if let cipher = self.ciphers[index] { return cipher }
        guard self.mode == .reencrypt, let template = self.rules.templates[index], let token,
            let name = try? Token(parsing: token).keyName, template.matches(name)
        else { return nil }
        return self.keys[name]
    }

    /// The replacement of one matched value.
    /// - Parameters:
    ///   - value: A value matched by rule `value.ruleIndex` of ``paths``.
    ///   - counts: Updated with what was done.
    /// - Throws: ``FieldRewriteError`` for a refused or undecryptable token, ``SealgateJSONError`` for a value
    ///   without canonical form, or the cipher's error.
    public func replacement(
        for value: MatchedValue,
        counts: inout Counts
    ) throws -> JSONStreamRewriter.Replacement {
        let rulePath = self.rules.pathTexts[value.ruleIndex]
        let token = value.stringValue(startingWith: Token.prefix)
        let cipher = self.cipher(value.ruleIndex, token: token)
        switch self.mode {
        case .encrypt:
            // init resolved every rule's cipher for encryption.
            guard let cipher else { throw FieldRewriteError(.notAuthenticToken, rulePath: rulePath, byteOffset: value.byteOffset) }
            if let token {
                // Idempotent re-sends: only an authentic token of this rule passes, unchanged.
                guard (try? cipher.open(token: token, rulePath: rulePath)) != nil else {
                    throw FieldRewriteError(.notAuthenticToken, rulePath: rulePath, byteOffset: value.byteOffset)
                }
                return .keep
            }
            let sealed = try cipher.seal(plaintext: try value.canonicalJSON(), rulePath: rulePath)
            counts.rewritten[cipher.keyName, default: 0] += 1
            return .bytes(Self.jsonString(sealed))
        case .decrypt:
            guard let token else { return .keep }
            // A reader opens only tokens of the key its own identity resolves to.
            guard let cipher, let plaintext = try? cipher.open(token: token, rulePath: rulePath) else {
                counts.undecryptable += 1
                return .keep
            }
            counts.rewritten[cipher.keyName, default: 0] += 1
            return .bytes(plaintext)
        case .reencrypt:
            guard let token else { return .keep }
            guard let cipher, let parsed = try? Token(parsing: token), let plaintext = try? cipher.open(token: token, rulePath: rulePath)
            else {
                throw FieldRewriteError(.undecryptableToken, rulePath: rulePath, byteOffset: value.byteOffset)
            }
            guard parsed.keyID != cipher.primaryKeyID else { return .keep }
            counts.rewritten[cipher.keyName, default: 0] += 1
            return .bytes(Self.jsonString(try cipher.seal(plaintext: plaintext, rulePath: rulePath)))
        }
    }

    /// A token as a JSON string (its characters need no escapes).
    private static func jsonString(_ token: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(token.utf8.count + 2)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: token.utf8)
        bytes.append(UInt8(ascii: "\""))
        return bytes
    }
}

/// A route's field rules, prepared once per configuration rather than once per body: their paths compiled for the
/// JSON rewriter, and written out for the tokens' associated data.
public struct FieldRules: Sendable {
    /// The rules, in configuration order.
    public let rules: [FieldRule]
    /// The rules' paths, compiled for a ``JSONStreamRewriter``.
    public let compiledPaths: JSONStreamRewriter.CompiledPaths
    /// The same for request bodies: a member name equal to a rule's ignoring ASCII case but not byte-equal is
    /// refused (`ambiguous_field`), unless `exactNames`.
    public let requestPaths: JSONStreamRewriter.CompiledPaths
    /// Each rule's path expression as written, which tokens authenticate.
    let pathTexts: [String]
    /// Each rule's key template, or nil for a plain key name.
    public let templates: [KeyTemplate?]

    /// Prepares rules.
    /// - Parameters:
    ///   - rules: The rules, in configuration order.
    ///   - exactNames: Match member names byte for byte only, without refusing near misses (route `exact_names`).
    public init(_ rules: [FieldRule], exactNames: Bool = false) {
        self.rules = rules
        self.compiledPaths = JSONStreamRewriter.CompiledPaths(rules.map(\.path))
        self.requestPaths = exactNames
            ? self.compiledPaths : JSONStreamRewriter.CompiledPaths(rules.map(\.path), refusesNearMissNames: true)
        self.pathTexts = rules.map(\.path.description)
        // The configuration checked every template when it was read.
        self.templates = rules.map { try? KeyTemplate.parse($0.key) }
    }
}

/// A token that a ``FieldRewriter`` refused; the message names the rule path and byte offset, never a value.
public struct FieldRewriteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// An `sg1:` string sent for encryption is not an authentic token of its rule.
        case notAuthenticToken
        /// A token to re-seal does not open with its rule's key and path.
        case undecryptableToken
    }

    /// What went wrong.
    public var code: Code
    /// The rule's path expression.
    public var rulePath: String
    /// Where the token starts in its document.
    public var byteOffset: Int

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - rulePath: The rule's path expression.
    ///   - byteOffset: Where the token starts in its document.
    public init(_ code: Code, rulePath: String, byteOffset: Int) {
        self.code = code
        self.rulePath = rulePath
        self.byteOffset = byteOffset
    }

    public var description: String {
        switch self.code {
        case .notAuthenticToken:
            "the sg1: string at byte \(self.byteOffset) under rule \(self.rulePath) is not an authentic token of that rule"
        case .undecryptableToken:
            "the token at byte \(self.byteOffset) under rule \(self.rulePath) does not decrypt with that rule's key"
        }
    }
}
