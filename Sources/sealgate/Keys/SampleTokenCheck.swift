import SealgateCrypto
import SealgateJSON
import SealgateProxy

/// What `keys verify --sample` found in stored documents: for each token at a route's rule paths, whether it opened
/// with its rule's key and rule path, counted by the key name and key id the token names.
struct SampleTokenCheck {
    /// Tokens of one key id.
    struct Tally: Hashable {
        var opened = 0
        var failed = 0
    }

    /// Documents read.
    private(set) var documents = 0
    /// Values at rule paths that are not `sg1:` strings (stored in plaintext, or null).
    private(set) var notTokens = 0
    /// `sg1:` strings at rule paths that are not well-formed tokens.
    private(set) var malformed = 0
    /// Tokens by the key name and key id they name.
    private(set) var tokens: [String: [UInt32: Tally]] = [:]

    private let rules: FieldRules
    private let ciphers: [String: FieldCipher]

    /// - Parameters:
    ///   - rules: The route's field rules.
    ///   - ciphers: The vault's keys that opened, by key name.
    init(rules: FieldRules, ciphers: [String: FieldCipher]) {
        self.rules = rules
        self.ciphers = ciphers
    }

    /// Whether every token opened and none was malformed.
    var passed: Bool { self.malformed == 0 && self.tokens.values.allSatisfy { $0.values.allSatisfy { $0.failed == 0 } } }

    /// Key names whose tokens did not all open.
    var failedKeys: [String] {
        self.tokens.filter { $0.value.values.contains { $0.failed > 0 } }.keys.sorted()
    }

    /// Checks the tokens of one document (or NDJSON line; a blank line is skipped).
    /// - Throws: ``SealgateJSONError`` if the document is not JSON.
    mutating func check(document: [UInt8]) throws {
        guard document.contains(where: { ![0x20, 0x09, 0x0D, 0x0A].contains($0) }) else { return }
        self.documents += 1
        _ = try JSONStreamRewriter.rewrite(document, paths: self.rules.compiledPaths) { value in
            self.count(value)
            return .keep
        }
    }

    private mutating func count(_ value: MatchedValue) {
        let rule = self.rules.rules[value.ruleIndex]
        guard let text = value.stringValue(startingWith: Token.prefix) else {
            self.notTokens += 1
            return
        }
        guard let token = try? Token(parsing: text) else {
            self.malformed += 1
            return
        }
        let opened =
            token.keyName == rule.key
            && (try? self.ciphers[rule.key]?.open(token: text, rulePath: rule.path.description)) != nil
        if opened {
            self.tokens[token.keyName, default: [:]][token.keyID, default: Tally()].opened += 1
        } else {
            self.tokens[token.keyName, default: [:]][token.keyID, default: Tally()].failed += 1
        }
    }
}
