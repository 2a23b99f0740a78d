/// Where a Vault Transit KEK lives and how sealgate logs in: `keys.kek` with `provider: vault-transit`.
public struct VaultTransitConfiguration: Sendable, Hashable {
    /// How sealgate gets a Vault token.
    public enum Authentication: Sendable, Hashable {
        /// A token in a file, re-read at each use (as Vault Agent or OpenBao Agent rewrites its sink file).
        case tokenFile(String)
        /// AppRole login with the role id and secret id read from files at each login.
        case appRole(roleIDFile: String, secretIDFile: String, mount: String)
        /// Kubernetes login with a service account token file.
        case kubernetes(role: String, tokenFile: String, mount: String)
    }

    /// The server, such as `https://vault.example:8200`.
    public var address: String
    /// The Transit engine's mount path.
    public var mount: String
    /// The Transit key's name.
    public var key: String
    /// A PEM bundle of the CAs that sign the server's certificate; nil for the system's.
    public var caFile: String?
    /// The Vault Enterprise or OpenBao namespace, if any.
    public var namespace: String?
    public var authentication: Authentication

    public init(address: String, mount: String = "transit", key: String, caFile: String? = nil, namespace: String? = nil, authentication: Authentication) {
        self.address = address
        self.mount = mount
        self.key = key
        self.caFile = caFile
        self.namespace = namespace
        self.authentication = authentication
    }
}
