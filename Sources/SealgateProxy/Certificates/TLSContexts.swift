import NIOSSL
import SealgateCertificates

/// Builds the NIOSSL contexts from configuration, with sealgate's defaults: TLS 1.3 unless 1.2 is asked for.
enum TLSContexts {
    /// The client-facing server context, from the served chain, its key and the client CA bundle.
    static func server(_ settings: ListenerConfiguration.TLSSettings, applicationProtocols: [String]) throws -> LoadedTLS {
        let identity = try ServerIdentity(certificatePath: settings.certificatePath, privateKeyPath: settings.privateKeyPath)
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: identity.chain.sslCertificates.map { .certificate($0) },
            privateKey: .privateKey(identity.privateKey)
        )
        tls.minimumTLSVersion = settings.minimumVersion == .v1_3 ? .tlsv13 : .tlsv12
        tls.maximumTLSVersion = .tlsv13
        tls.applicationProtocols = applicationProtocols
        switch settings.clientAuthentication {
        case .require: tls.certificateVerification = .noHostnameVerification
        case .optional: tls.certificateVerification = .optionalVerification
        case .none: tls.certificateVerification = .none
        }
        var certificates = try WatchedCertificate.all(in: identity.chain, role: .server)
        var trust: PeerTrust?
        if let caPath = settings.clientCAPath {
            let clientCA = try CertificateBundle(path: caPath)
            tls.trustRoots = .certificates(clientCA.sslCertificates)
            tls.sendCANameList = true
            certificates += try WatchedCertificate.all(in: clientCA, role: .clientCA)
            trust = try PeerTrust.load(settings.revocation, issuers: clientCA.certificates, checksIssuerNames: settings.clientAuthentication != .none)
            certificates += trust?.revocations?.watched(role: .crl) ?? []
        }
        return LoadedTLS(
            context: try NIOSSLContext(configuration: tls), certificates: certificates, serverURI: identity.leafURIs.first, trust: trust
        )
    }

    /// The context for HTTPS backends, from the upstream CA bundle and client certificate.
    static func upstream(_ settings: UpstreamConfiguration.TLSSettings?) throws -> LoadedTLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        var certificates: [WatchedCertificate] = []
        var trust: PeerTrust?
        if let caPath = settings?.caPath {
            let ca = try CertificateBundle(path: caPath)
            tls.trustRoots = .certificates(ca.sslCertificates)
            certificates += try WatchedCertificate.all(in: ca, role: .upstreamCA)
            trust = try settings.flatMap { try PeerTrust.load($0.revocation, issuers: ca.certificates, checksIssuerNames: false) }
            certificates += trust?.revocations?.watched(role: .upstreamCRL) ?? []
        }
        if let certificatePath = settings?.certificatePath, let keyPath = settings?.privateKeyPath {
            let identity = try ServerIdentity(certificatePath: certificatePath, privateKeyPath: keyPath)
            tls.certificateChain = identity.chain.sslCertificates.map { .certificate($0) }
            tls.privateKey = .privateKey(identity.privateKey)
            certificates += try WatchedCertificate.all(in: identity.chain, role: .upstreamClient)
        }
        return LoadedTLS(context: try NIOSSLContext(configuration: tls), certificates: certificates, serverURI: nil, trust: trust)
    }
}
