import NIOSSL

/// The TLS 1.3 mutual-TLS server context the benchmark proxies share with sealgate's benchmark setup.
enum BenchmarkTLS {
    /// A context for the server certificate and key, requiring client certificates from `ca`.
    static func serverContext(certificate: String, key: String, ca: String, protocols: [String]) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
        )
        tls.minimumTLSVersion = .tlsv13
        tls.certificateVerification = .noHostnameVerification
        tls.trustRoots = .file(ca)
        tls.applicationProtocols = protocols
        return try NIOSSLContext(configuration: tls)
    }
}
