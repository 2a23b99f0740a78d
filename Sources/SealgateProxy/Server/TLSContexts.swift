import NIOSSL
import SealgateCertificates

/// Builds the NIOSSL contexts from configuration, with sealgate's defaults: TLS 1.3 unless 1.2 is asked for.
enum TLSContexts {
    /// The client-facing server context and the server's own identity.
    static func server(_ settings: ListenerConfiguration.TLSSettings, applicationProtocols: [String]) throws
        -> (NIOSSLContext, ServerIdentity)
    {
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
        if let caPath = settings.clientCAPath {
            tls.trustRoots = .certificates(try CertificateBundle(path: caPath).sslCertificates)
            tls.sendCANameList = true
        }
        return (try NIOSSLContext(configuration: tls), identity)
    }

    /// The context for HTTPS backends.
    static func upstream(_ settings: UpstreamConfiguration.TLSSettings?) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let caPath = settings?.caPath {
            tls.trustRoots = .certificates(try CertificateBundle(path: caPath).sslCertificates)
        }
        if let certificatePath = settings?.certificatePath, let keyPath = settings?.privateKeyPath {
            let identity = try ServerIdentity(certificatePath: certificatePath, privateKeyPath: keyPath)
            tls.certificateChain = identity.chain.sslCertificates.map { .certificate($0) }
            tls.privateKey = .privateKey(identity.privateKey)
        }
        return try NIOSSLContext(configuration: tls)
    }
}
