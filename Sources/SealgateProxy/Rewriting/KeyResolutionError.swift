/// Why a route's rules have no key for a request.
public enum KeyResolutionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A rule's key (or, for a per-tenant template, every key) is not loaded: keys unavailable.
    case notLoaded(String)
    /// A per-tenant key template resolves, for this client, to no loaded key (or to no name at all).
    case noKeyForIdentity(template: String, resolved: String?)

    public var description: String {
        switch self {
        case .notLoaded(let key): "the key \(key) is not loaded"
        case .noKeyForIdentity(let template, let resolved):
            resolved.map { "the client's key \($0) (from \(template)) is not in the vault" }
                ?? "the client's identity gives no key name for \(template) (no URI SAN with that path segment)"
        }
    }
}
