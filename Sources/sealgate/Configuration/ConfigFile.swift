import Foundation
import Logging
import SealgateCertificates
import SealgateCrypto
import SealgateJSON
import SealgateProxy
import Yams

/// Reads `sealgate.yaml` (format in DESIGN.md) into a ``SealgateConfiguration``, checking
/// everything — including that certificates and keys load — and reporting every problem at once.
enum ConfigFile {
    /// - Parameters:
    ///   - path: the configuration file.
    ///   - checkingKeyStore: also check, without unwrapping anything, the local KEK file's mode and owner and that
    ///     every key a rule names is in the vault (``KeyStoreCheck``), as `check-config` does.
    static func load(path: String, checkingKeyStore: Bool = false) throws(ConfigErrors) -> SealgateConfiguration {
        let (root, reader) = try Self.compose(path: path)
        let configuration = Self.read(root, reader, checkingKeyStore: checkingKeyStore)
        guard reader.problems.isEmpty, let configuration else { throw ConfigErrors(problems: reader.problems) }
        return configuration
    }

    /// Reads only the `keys` section and `log.audit`, for the `keys` commands: the rest of the file is not
    /// checked, so key management works where the TLS files are absent or routes are not yet accepted.
    static func loadKeys(path: String) throws(ConfigErrors) -> (keys: SealgateConfiguration.KeysSettings, audit: String) {
        let (root, reader) = try Self.compose(path: path)
        let top = reader.mapping(root, at: "config", allowed: Self.topLevelKeys)
        if let top, top["keys"] == nil {
            reader.report(root, "missing section 'keys' (keys: {vault: DIR, kek: {provider: local, path: FILE}})")
        }
        let keys = top?["keys"].flatMap { Self.keys($0, reader) }
        let audit = Self.audit(reader.mapping(top?["log"], at: "log", allowed: Self.logKeys), reader)
        guard reader.problems.isEmpty, let keys else { throw ConfigErrors(problems: reader.problems) }
        return (keys, audit)
    }

    /// Reads only the `keys` section and the routes, for `encrypt`, `decrypt` and `reencrypt`: like ``loadKeys``,
    /// they work where the TLS files of the proxy are absent.
    static func loadRoutes(
        path: String
    ) throws(ConfigErrors) -> (keys: SealgateConfiguration.KeysSettings, routes: [RouteConfiguration]) {
        let (root, reader) = try Self.compose(path: path)
        let top = reader.mapping(root, at: "config", allowed: Self.topLevelKeys)
        if let top, top["keys"] == nil {
            reader.report(root, "missing section 'keys' (keys: {vault: DIR, kek: {provider: local, path: FILE}})")
        }
        let keys = top?["keys"].flatMap { Self.keys($0, reader) }
        let routes = (reader.sequence(top?["routes"], at: "routes") ?? []).enumerated().compactMap {
            Self.route($1, at: "routes[\($0)]", reader, keysConfigured: keys != nil)
        }
        guard reader.problems.isEmpty, let keys else { throw ConfigErrors(problems: reader.problems) }
        return (keys, routes)
    }

    /// Reads and parses the YAML document.
    private static func compose(path: String) throws(ConfigErrors) -> (Node, ConfigReader) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigErrors(problems: [ConfigProblem(file: path, line: 1, column: 1, message: "cannot read the file")])
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigErrors(problems: [Self.problem(fromYAMLError: error, file: path)])
        }
        guard let root else {
            throw ConfigErrors(problems: [ConfigProblem(file: path, line: 1, column: 1, message: "the file is empty")])
        }
        return (root, ConfigReader(file: path))
    }

    private static func problem(fromYAMLError error: any Error, file: String) -> ConfigProblem {
        let description = "\(error)"
        // Yams reports "<line>:<column>: <problem>" within its message.
        let pattern = /(\d+):(\d+): (.*)/
        if let match = description.firstMatch(of: pattern), let line = Int(match.1), let column = Int(match.2) {
            return ConfigProblem(file: file, line: line, column: column, message: "invalid YAML: \(match.3)")
        }
        return ConfigProblem(file: file, line: 1, column: 1, message: "invalid YAML: \(description)")
    }

    private static let logKeys: Set<String> = ["level", "access_log", "audit"]

    private static let topLevelKeys: Set<String> = [
        "listen", "upstream", "authorization", "identity_header", "keys", "routes", "limits", "shutdown_grace",
        "monitor", "admin", "log",
    ]

    private static func read(_ root: Node, _ reader: ConfigReader, checkingKeyStore: Bool) -> SealgateConfiguration? {
        guard let top = reader.mapping(root, at: "config", allowed: Self.topLevelKeys) else { return nil }
        for required in ["listen", "upstream"] where top[required] == nil {
            reader.report(root, "missing required section '\(required)'")
        }
        let listener = top["listen"].flatMap { Self.listener($0, reader) }
        let upstream = top["upstream"].flatMap { Self.upstream($0, reader) }
        let authorization = Self.policy(top["authorization"], at: "authorization", reader, key: "allow")
        let identityHeader = reader.string(top["identity_header"], at: "identity_header") ?? "x-forwarded-client-cert"
        if !identityHeader.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5a).contains($0) || (0x61...0x7a).contains($0) }) {
            reader.report(top["identity_header"], "identity_header must be a header name")
        }
        let keys = top["keys"].flatMap { Self.keys($0, reader) }
        let routeEntries = (reader.sequence(top["routes"], at: "routes") ?? []).enumerated().compactMap { index, node in
            Self.route(node, at: "routes[\(index)]", reader, keysConfigured: keys != nil, vaultToCheck: checkingKeyStore ? keys?.vaultPath : nil)
                .map { (index: index, node: node, route: $0) }
        }
        Self.checkOrder(of: routeEntries, reader)
        let routes = routeEntries.map(\.route)
        if checkingKeyStore, case .local(let kekPath) = keys?.kek, let problem = KeyStoreCheck.kekProblem(path: kekPath) {
            let kek = top["keys"]?.mapping?["kek"]
            reader.report(kek?.mapping?["path"] ?? kek, problem)
        }
        let limits = Self.limits(top["limits"], reader)
        let grace = reader.duration(top["shutdown_grace"], at: "shutdown_grace") ?? .seconds(25)
        var monitor = Self.monitor(top["monitor"], reader)
        let admin = reader.mapping(top["admin"], at: "admin", allowed: ["address"]).flatMap {
            reader.address($0["address"], at: $0.path("address"))
        }
        monitor.generatorURL = admin.map { "http://\($0.host.contains(":") ? "[\($0.host)]" : $0.host):\($0.port)/certs" }
        let log = reader.mapping(top["log"], at: "log", allowed: Self.logKeys)
        let level = reader.choice(log?["level"], at: "log.level", as: Logger.Level.self) ?? .info
        let accessLog = reader.bool(log?["access_log"], at: "log.access_log") ?? true
        let audit = Self.audit(log, reader)

        guard let listener, let upstream, let authorization else { return nil }
        let proxy = ProxyConfiguration(
            listener: listener,
            upstream: upstream,
            authorization: authorization,
            identityHeader: identityHeader,
            routes: routes,
            limits: limits,
            shutdownGrace: grace,
            admin: admin.map { SocketAddressConfiguration(host: $0.host, port: $0.port) },
            accessLog: accessLog
        )
        return SealgateConfiguration(
            proxy: proxy,
            logLevel: level,
            audit: audit,
            keys: keys,
            monitor: monitor,
            warnings: reader.warnings
        )
    }

    static func listener(_ node: Node, _ reader: ConfigReader) -> ListenerConfiguration? {
        guard let fields = reader.mapping(node, at: "listen", allowed: ["address", "tls", "alpn"]) else { return nil }
        let address = reader.address(fields["address"], at: "listen.address")
        if fields["address"] == nil { reader.report(node, "listen.address is required") }
        let protocols = reader.sequence(fields["alpn"], at: "listen.alpn")?.compactMap { node -> String? in
            guard let name = reader.string(node, at: "listen.alpn[]") else { return nil }
            guard name == "h2" || name == "http/1.1" else {
                reader.report(node, "listen.alpn entries must be \"h2\" or \"http/1.1\", not \"\(name)\"")
                return nil
            }
            return name
        } ?? ["h2", "http/1.1"]
        guard let tlsNode = fields["tls"] else {
            reader.report(node, "listen.tls is required: sealgate never listens in plain text")
            return nil
        }
        guard let tls = reader.mapping(tlsNode, at: "listen.tls", allowed: [
            "certificate", "private_key", "min_version", "client_auth", "client_ca", "crl", "crl_stale", "session_resumption",
        ])
        else { return nil }
        let certificate = reader.existingFile(tls["certificate"], at: tls.path("certificate"))
        let key = reader.existingFile(tls["private_key"], at: tls.path("private_key"))
        for required in ["certificate", "private_key"] where tls[required] == nil {
            reader.report(tlsNode, "listen.tls.\(required) is required")
        }
        let minimum = reader.choice(tls["min_version"], at: tls.path("min_version"), as: ListenerConfiguration.TLSVersion.self) ?? .v1_3
        let clientAuth = reader.choice(tls["client_auth"], at: tls.path("client_auth"), as: ListenerConfiguration.ClientAuthentication.self) ?? .require
        let clientCA = reader.existingFile(tls["client_ca"], at: tls.path("client_ca"))
        if clientAuth != .none, tls["client_ca"] == nil {
            reader.report(tlsNode, "listen.tls.client_ca is required when client_auth is \(clientAuth.rawValue)")
        }
        if let certificate, let key {
            Self.check(tls["certificate"], reader) { () throws(SealgateCertificatesError) in _ = try ServerIdentity(certificatePath: certificate, privateKeyPath: key) }
        }
        if let clientCA {
            Self.check(tls["client_ca"], reader) { () throws(SealgateCertificatesError) in _ = try CertificateBundle(path: clientCA) }
        }
        let revocation = Self.revocation(tls, caPath: clientCA, caKey: "client_ca", reader)
        let resumption = reader.bool(tls["session_resumption"], at: tls.path("session_resumption")) ?? true
        guard let address, let certificate, let key else { return nil }
        return ListenerConfiguration(
            address: SocketAddressConfiguration(host: address.host, port: address.port),
            tls: .init(
                certificatePath: certificate,
                privateKeyPath: key,
                minimumVersion: minimum,
                clientAuthentication: clientAuth,
                clientCAPath: clientCA,
                revocation: revocation,
                sessionResumption: resumption
            ),
            applicationProtocols: protocols
        )
    }

    /// A mapping with one allow list under `key`, e.g. `authorization: {allow: [...]}`.
    static func policy(_ node: Node?, at path: String, _ reader: ConfigReader, key: String) -> AuthorizationPolicy? {
        guard let node else { return AuthorizationPolicy() }
        guard let fields = reader.mapping(node, at: path, allowed: [key]) else { return nil }
        return Self.allowList(fields[key], at: fields.path(key), reader)
    }

    static func allowList(_ node: Node?, at path: String, _ reader: ConfigReader) -> AuthorizationPolicy? {
        guard let node else { return AuthorizationPolicy() }
        guard let entries = reader.sequence(node, at: path) else { return nil }
        var patterns: [IdentityPattern] = []
        for (index, entry) in entries.enumerated() {
            let entryPath = "\(path)[\(index)]"
            guard let fields = reader.mapping(entry, at: entryPath, allowed: ["uri", "dns", "cn", "spki_sha256"]) else { continue }
            guard fields.values.count == 1, let (kind, value) = fields.values.first else {
                reader.report(entry, "\(entryPath) must have exactly one of uri, dns, cn, spki_sha256")
                continue
            }
            guard let text = reader.string(value, at: fields.path(kind)) else { continue }
            switch kind {
            case "uri": patterns.append(.uri(text))
            case "dns": patterns.append(.dns(text))
            case "cn": patterns.append(.commonName(text))
            default:
                do {
                    patterns.append(try IdentityPattern.spkiPin(text))
                } catch {
                    reader.report(value, "\(fields.path(kind)): \(error.message)")
                }
            }
        }
        return AuthorizationPolicy(allow: patterns)
    }

    private static func limits(_ node: Node?, _ reader: ConfigReader) -> Limits {
        var limits = Limits()
        guard let fields = reader.mapping(
            node,
            at: "limits",
            allowed: ["max_body", "max_header", "header_timeout", "idle_timeout", "body_timeout", "write_timeout", "max_connections"]
        ) else { return limits }
        if let value = reader.size(fields["max_body"], at: "limits.max_body") { limits.maxBody = value }
        if let value = reader.size(fields["max_header"], at: "limits.max_header") {
            if value < 1024 { reader.report(fields["max_header"], "limits.max_header must be at least 1KiB") } else { limits.maxHeader = value }
        }
        if let value = reader.duration(fields["header_timeout"], at: "limits.header_timeout") { limits.headerTimeout = value }
        if let value = reader.duration(fields["idle_timeout"], at: "limits.idle_timeout") { limits.idleTimeout = value }
        if let value = reader.duration(fields["body_timeout"], at: "limits.body_timeout") { limits.bodyTimeout = value }
        if let value = reader.duration(fields["write_timeout"], at: "limits.write_timeout") { limits.writeTimeout = value }
        if let value = reader.integer(fields["max_connections"], at: "limits.max_connections", range: 1...1_000_000) {
            limits.maxConnections = value
        }
        return limits
    }

    /// `log.audit`: `stderr` (the default) or a file path, resolved against the config file's directory.
    private static func audit(_ log: Fields?, _ reader: ConfigReader) -> String {
        reader.string(log?["audit"], at: "log.audit").map { $0 == "stderr" ? $0 : reader.resolve($0) } ?? "stderr"
    }

    private static func monitor(_ node: Node?, _ reader: ConfigReader) -> MonitorConfiguration {
        var monitor = MonitorConfiguration()
        guard let fields = reader.mapping(node, at: "monitor", allowed: ["thresholds", "interval", "repeat_interval", "watch", "alerts", "labels"]) else {
            return monitor
        }
        if let thresholds = reader.sequence(fields["thresholds"], at: "monitor.thresholds") {
            let durations = thresholds.compactMap { reader.duration($0, at: "monitor.thresholds[]") }
            if durations.contains(.zero) { reader.report(fields["thresholds"], "monitor.thresholds must be longer than 0s") }
            if thresholds.isEmpty { reader.report(fields["thresholds"], "monitor.thresholds needs at least one duration, like [30d, 14d, 7d]") }
            monitor.thresholds = ExpiryThresholds(durations)
        }
        for (key, keyPath) in [("interval", \MonitorConfiguration.interval), ("repeat_interval", \.repeatInterval)] {
            guard let duration = reader.duration(fields[key], at: "monitor.\(key)") else { continue }
            if duration < .seconds(1) { reader.report(fields[key], "monitor.\(key) must be at least 1s") }
            monitor[keyPath: keyPath] = duration
        }
        monitor.watch = (reader.sequence(fields["watch"], at: "monitor.watch") ?? []).compactMap {
            reader.string($0, at: "monitor.watch[]").map(reader.resolve)
        }
        for (index, alertNode) in (reader.sequence(fields["alerts"], at: "monitor.alerts") ?? []).enumerated() {
            let path = "monitor.alerts[\(index)]"
            guard let alert = reader.mapping(alertNode, at: path, allowed: ["type", "url", "format"]) else { continue }
            let type = reader.string(alert["type"], at: alert.path("type"))
            if let type, type != "webhook" { reader.report(alert["type"], "\(path).type must be \"webhook\"") }
            let format = reader.choice(alert["format"], at: alert.path("format"), as: AlertFormat.self) ?? .json
            guard let url = reader.string(alert["url"], at: alert.path("url")) else {
                if alert["url"] == nil { reader.report(alertNode, "\(path).url is required") }
                continue
            }
            guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme ?? ""), components.host != nil else {
                reader.report(alert["url"], "\(path).url must be an http:// or https:// URL")
                continue
            }
            monitor.webhooks.append(.init(url: url, format: format))
        }
        if let node = fields["labels"] {
            monitor.labels = Self.alertLabels(node, reader)
        }
        return monitor
    }

    /// `monitor.labels`: Alertmanager label names (not one sealgate sets itself) to string values.
    private static func alertLabels(_ node: Node, _ reader: ConfigReader) -> [String: String] {
        guard case .mapping(let mapping) = node else {
            reader.report(node, "monitor.labels must be a mapping of label names to values")
            return [:]
        }
        let own: Set<String> = ["alertname", "severity", "role", "subject", "serial", "path", "threshold"]
        var labels: [String: String] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string, let first = name.first, first.isLetter || first == "_",
                name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
            else {
                reader.report(key, "monitor.labels: keys must be label names like instance or cluster")
                continue
            }
            guard !own.contains(name) else {
                reader.report(key, "monitor.labels.\(name) is set by sealgate on each alert")
                continue
            }
            if let text = reader.string(value, at: "monitor.labels.\(name)") { labels[name] = text }
        }
        return labels
    }

    /// Runs a check that throws a certificates error, reporting it at `node`.
    static func check(_ node: Node?, _ reader: ConfigReader, _ body: () throws(SealgateCertificatesError) -> Void) {
        do {
            try body()
        } catch {
            reader.report(node, error.message)
        }
    }
}
