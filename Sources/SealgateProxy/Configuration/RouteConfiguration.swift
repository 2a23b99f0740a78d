import SealgateCertificates
import SealgateJSON

/// One route: which requests it matches and the rules that apply to them.
public struct RouteConfiguration: Sendable {
    /// The path pattern: a prefix on segment boundaries, or a glob with `*` and `**`.
    public var path: PathPattern
    /// The methods accepted; `nil` accepts every method. Others get 405.
    public var methods: [String]?
    /// Narrows the global authorization for this route.
    public var authorization: AuthorizationPolicy?
    /// Fields encrypted in request bodies.
    public var encrypt: [FieldRule] { didSet { self.fieldRules = FieldRules(self.encrypt, exactNames: self.exactNames) } }
    /// ``encrypt``, prepared for rewriting.
    public private(set) var fieldRules: FieldRules
    /// Identities that receive decrypted responses; `nil` means nobody.
    public var decryptResponses: AuthorizationPolicy?
    /// Send every rewritten request body with a Content-Length (held in memory, at most `max_body`), not only those
    /// of at most 64 KiB; longer ones are otherwise streamed chunked.
    public var bufferBody: Bool
    /// Match member names byte for byte only: do not refuse a name that differs from a rule's in ASCII case only.
    public var exactNames: Bool { didSet { self.fieldRules = FieldRules(self.encrypt, exactNames: self.exactNames) } }

    public init(
        path: PathPattern,
        methods: [String]? = nil,
        authorization: AuthorizationPolicy? = nil,
        encrypt: [FieldRule] = [],
        decryptResponses: AuthorizationPolicy? = nil,
        bufferBody: Bool = false,
        exactNames: Bool = false
    ) {
        self.bufferBody = bufferBody
        self.exactNames = exactNames
        self.path = path
        self.methods = methods
        self.authorization = authorization
        self.encrypt = encrypt
        self.fieldRules = FieldRules(encrypt, exactNames: exactNames)
        self.decryptResponses = decryptResponses
    }

    /// Whether the route has field rules (and so is refused tunnels and non-JSON bodies).
    public var hasFieldRules: Bool { !self.encrypt.isEmpty || self.decryptResponses != nil }

    /// The name used for the route in metrics and logs: its path pattern as written.
    public var name: String { self.path.description }
}

/// One field-encryption rule: a JSON path expression and the key name that encrypts it.
public struct FieldRule: Sendable, Hashable {
    /// The path expression; its text exactly as written in the config is part of the associated data.
    public var path: JSONPath
    /// The key name in the vault.
    public var key: String

    public init(path: JSONPath, key: String) {
        self.path = path
        self.key = key
    }
}
