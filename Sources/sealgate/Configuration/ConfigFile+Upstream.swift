import Foundation
import SealgateCertificates
import SealgateProxy
import Yams

extension ConfigFile {
    static func upstream(_ node: Node, _ reader: ConfigReader) -> UpstreamConfiguration? {
        guard let fields = reader.mapping(node, at: "upstream", allowed: ["url", "tls", "connect_timeout", "timeout", "read_timeout", "idle_timeout", "health"]) else { return nil }
        guard let url = reader.string(fields["url"], at: "upstream.url") else {
            if fields["url"] == nil { reader.report(node, "upstream.url is required") }
            return nil
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme, scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty, components.path.isEmpty || components.path == "/",
            components.query == nil, components.user == nil
        else {
            reader.report(fields["url"], "upstream.url must be http://host:port or https://host:port without a path, not \"\(url)\"")
            return nil
        }
        let useTLS = scheme == "https"
        var tls: UpstreamConfiguration.TLSSettings?
        if let tlsNode = fields["tls"] {
            if !useTLS { reader.report(tlsNode, "upstream.tls needs an https:// upstream.url") }
            if let tlsFields = reader.mapping(tlsNode, at: "upstream.tls", allowed: ["ca", "certificate", "private_key", "crl", "crl_stale"]) {
                let caPath = reader.existingFile(tlsFields["ca"], at: tlsFields.path("ca"))
                tls = .init(
                    caPath: caPath,
                    certificatePath: reader.existingFile(tlsFields["certificate"], at: tlsFields.path("certificate")),
                    privateKeyPath: reader.existingFile(tlsFields["private_key"], at: tlsFields.path("private_key")),
                    revocation: Self.revocation(tlsFields, caPath: caPath, caKey: "ca", reader)
                )
                if (tlsFields["certificate"] == nil) != (tlsFields["private_key"] == nil) {
                    reader.report(tlsNode, "upstream.tls.certificate and upstream.tls.private_key go together")
                }
                if let certificate = tls?.certificatePath, let key = tls?.privateKeyPath {
                    Self.check(tlsFields["certificate"], reader) { () throws(SealgateCertificatesError) in _ = try ServerIdentity(certificatePath: certificate, privateKeyPath: key) }
                }
                if let ca = tls?.caPath {
                    Self.check(tlsFields["ca"], reader) { () throws(SealgateCertificatesError) in _ = try CertificateBundle(path: ca) }
                }
            }
        }
        return UpstreamConfiguration(
            useTLS: useTLS,
            host: host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host,
            port: components.port ?? (useTLS ? 443 : 80),
            tls: tls,
            connectTimeout: reader.duration(fields["connect_timeout"], at: "upstream.connect_timeout") ?? .seconds(2),
            timeout: reader.duration(fields["timeout"], at: "upstream.timeout") ?? .seconds(30),
            readTimeout: reader.duration(fields["read_timeout"], at: "upstream.read_timeout") ?? .seconds(30),
            idleTimeout: reader.duration(fields["idle_timeout"], at: "upstream.idle_timeout") ?? .seconds(60),
            health: fields["health"].flatMap { Self.health($0, reader) }
        )
    }

    /// `upstream.health: {tcp: true | http: /path, interval, unhealthy_after}`.
    static func health(_ node: Node, _ reader: ConfigReader) -> UpstreamHealthConfiguration? {
        guard let fields = reader.mapping(node, at: "upstream.health", allowed: ["tcp", "http", "interval", "unhealthy_after"]) else {
            return nil
        }
        let probe: UpstreamHealthConfiguration.Probe
        switch (fields["tcp"], fields["http"]) {
        case (let tcp?, nil):
            guard reader.bool(tcp, at: "upstream.health.tcp") == true else {
                reader.report(tcp, "upstream.health.tcp must be true (or use http: /path)")
                return nil
            }
            probe = .tcp
        case (nil, let http?):
            guard let path = reader.string(http, at: "upstream.health.http") else { return nil }
            guard path.hasPrefix("/") else {
                reader.report(http, "upstream.health.http must be a path starting with /, not \"\(path)\"")
                return nil
            }
            probe = .http(path: path)
        default:
            reader.report(node, "upstream.health needs exactly one of tcp: true or http: /path")
            return nil
        }
        return UpstreamHealthConfiguration(
            probe: probe,
            interval: reader.duration(fields["interval"], at: "upstream.health.interval") ?? .seconds(5),
            unhealthyAfter: reader.integer(fields["unhealthy_after"], at: "upstream.health.unhealthy_after", range: 1...100) ?? 3
        )
    }
}
