import NIOConcurrencyHelpers
import NIOSSL
import SealgateCertificates

/// TLS material read from files: the context built from it and the certificates it holds.
public struct LoadedTLS: Sendable {
    /// The context new connections use.
    public var context: NIOSSLContext
    /// Every certificate of the files, with its role and path.
    public var certificates: [WatchedCertificate]
    /// The first URI SAN of the served leaf (sealgate's own SPIFFE ID), for XFCC's `By=`.
    public var serverURI: String?
    /// Revocation lists and CA names to check peers against after BoringSSL verified them; nil when there are none.
    var trust: PeerTrust?
}

/// A TLS context that can be loaded again from its files while connections use it: each new
/// connection takes the current one, open connections keep theirs. A failed load keeps the current one.
public final class ReloadableTLS: Sendable {
    /// What the material is for (`server` or `upstream`), for logs and metrics.
    public let name: String
    /// The files it is loaded from, watched for changes.
    public let files: [String]
    /// Whether the context issues TLS session tickets (the server side), whose keys must rotate.
    public let issuesSessionTickets: Bool
    private let load: @Sendable () throws -> LoadedTLS
    private let current: NIOLockedValueBox<LoadedTLS>

    /// Loads the material for the first time; throws if it cannot be.
    init(name: String, files: [String], issuesSessionTickets: Bool, load: @escaping @Sendable () throws -> LoadedTLS) throws {
        self.name = name
        self.files = files
        self.issuesSessionTickets = issuesSessionTickets
        self.load = load
        self.current = NIOLockedValueBox(try load())
    }

    /// The client-facing listener's certificate chain, key and client CA bundle.
    public static func server(_ listener: ListenerConfiguration) throws -> ReloadableTLS {
        let settings = listener.tls
        return try ReloadableTLS(
            name: "server",
            files: [settings.certificatePath, settings.privateKeyPath] + (settings.clientCAPath.map { [$0] } ?? []) + settings.revocation.paths,
            issuesSessionTickets: true
        ) {
            try TLSContexts.server(settings, applicationProtocols: listener.applicationProtocols)
        }
    }

    /// The TLS material for an `https://` backend; nil for a plain-HTTP one.
    public static func upstream(_ upstream: UpstreamConfiguration) throws -> ReloadableTLS? {
        guard upstream.useTLS else { return nil }
        let settings = upstream.tls
        let files = [settings?.caPath, settings?.certificatePath, settings?.privateKeyPath].compactMap { $0 } + (settings?.revocation.paths ?? [])
        return try ReloadableTLS(name: "upstream", files: files, issuesSessionTickets: false) { try TLSContexts.upstream(settings) }
    }

    /// What new connections use now.
    public var loaded: LoadedTLS { self.current.withLockedValue { $0 } }

    /// The peer trust loaded now: what each request re-checks its connection's certificate against.
    var trust: PeerTrust? { self.current.withLockedValue { $0.trust } }

    /// Loads the files again and, if that succeeds, makes the result current.
    public func reload() throws {
        let loaded = try self.load()
        self.current.withLockedValue { $0 = loaded }
    }

    /// Builds the current context again from the same material, so that no session ticket issued so far resumes:
    /// BoringSSL gives each context its own random ticket keys and NIOSSL offers no other way to change them.
    /// Open connections keep their context.
    public func rotateSessionTicketKeys() throws {
        try self.current.withLockedValue { $0.context = try NIOSSLContext(configuration: $0.context.configuration) }
    }
}
