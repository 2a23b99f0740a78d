import Foundation
import SealgateTestSupport
import Logging
import SealgateCertificates
import SealgateJSON
import SealgateProxy
import SealgateKeyProviders
import Testing

@testable import sealgate

@Suite("Configuration file")
struct ConfigFileTests {
    /// A directory with a dev PKI, where configurations are written.
    final class Fixture {
        /// The smallest configuration that loads: a listener with the fixture's files and a backend.
        static let minimal = """
            listen:
              address: 0.0.0.0:8443
              tls: {certificate: server.pem, private_key: server-key.pem, client_ca: ca.pem}
            upstream: {url: "http://127.0.0.1:8080"}

            """

        let directory: URL

        init() throws {
            self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("sealgate-config-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
            let now = Date()
            let ca = try DevelopmentPKI.makeCA(commonName: "CA", notBefore: now - 60, notAfter: now + 86400)
            let server = try DevelopmentPKI.issue(by: ca, commonName: "localhost", usage: .server, dnsNames: ["localhost"], notBefore: now - 60, notAfter: now + 86400)
            let other = try DevelopmentPKI.issue(by: ca, commonName: "other", usage: .server, notBefore: now - 60, notAfter: now + 86400)
            try self.write(try ca.certificatePEM, "ca.pem")
            try self.write(try server.certificatePEM, "server.pem")
            try self.write(server.privateKeyPEM, "server-key.pem")
            try self.write(other.privateKeyPEM, "other-key.pem")
        }

        func write(_ text: String, _ name: String) throws {
            try text.write(to: self.directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }

        func load(_ yaml: String) throws(ConfigErrors) -> SealgateConfiguration {
            try? self.write(yaml, "sealgate.yaml")
            return try ConfigFile.load(path: self.directory.appendingPathComponent("sealgate.yaml").path)
        }

        func problems(_ yaml: String) -> [ConfigProblem] {
            do {
                _ = try self.load(yaml)
                return []
            } catch {
                return error.problems
            }
        }

        deinit { try? FileManager.default.removeItem(at: self.directory) }
    }

    @Test("a complete configuration loads with its values")
    func complete() throws {
        let fixture = try Fixture()
        let configuration = try fixture.load(
            """
            listen:
              address: "[::1]:8443"
              tls:
                certificate: server.pem
                private_key: server-key.pem
                min_version: "1.2"
                client_auth: optional
                client_ca: ca.pem
              alpn: [http/1.1]
            upstream:
              url: https://backend.internal:9443
              connect_timeout: 500ms
              timeout: 2m
              tls: {ca: ca.pem}
            authorization:
              allow:
                - uri: spiffe://example.org/ns/payments/sa/*
                - dns: billing.internal
                - cn: legacy-client
                - spki_sha256: \(String(repeating: "AB", count: 32))
            identity_header: x-client-identity
            routes:
              - match: {path: /v1/patients, methods: [GET, POST]}
                allow: [{uri: spiffe://example.org/ns/intake/sa/*}]
              - match: {path: "/v1/*/records"}
            limits: {max_body: 10MiB, max_header: 32KiB, header_timeout: 10s, idle_timeout: 60s, max_connections: 500}
            shutdown_grace: 25s
            monitor:
              thresholds: [7d, 30d, 14d]
              alerts:
                - {type: webhook, url: "http://127.0.0.1:9093/api/v2/alerts", format: alertmanager}
            admin: {address: 127.0.0.1:9901}
            log: {level: debug, access_log: false, audit: audit.log}
            """
        )
        let proxy = configuration.proxy
        #expect(proxy.listener.address == SocketAddressConfiguration(host: "::1", port: 8443))
        #expect(proxy.listener.tls.minimumVersion == .v1_2)
        #expect(proxy.listener.tls.clientAuthentication == .optional)
        #expect(proxy.listener.tls.certificatePath == fixture.directory.appendingPathComponent("server.pem").path)
        #expect(proxy.listener.applicationProtocols == ["http/1.1"])
        #expect(proxy.upstream.useTLS)
        #expect(proxy.upstream.host == "backend.internal")
        #expect(proxy.upstream.port == 9443)
        #expect(proxy.upstream.connectTimeout == .milliseconds(500))
        #expect(proxy.upstream.timeout == .seconds(120))
        #expect(proxy.authorization.allow.count == 4)
        #expect(proxy.authorization.allow.last == .spkiSHA256(String(repeating: "ab", count: 32)))
        #expect(proxy.identityHeader == "x-client-identity")
        #expect(proxy.routes.map(\.name) == ["/v1/patients", "/v1/*/records"])
        #expect(proxy.routes[0].methods == ["GET", "POST"])
        #expect(proxy.routes[0].authorization?.allow == [.uri("spiffe://example.org/ns/intake/sa/*")])
        #expect(proxy.limits.maxBody == 10 << 20)
        #expect(proxy.limits.maxHeader == 32 << 10)
        #expect(proxy.limits.maxConnections == 500)
        #expect(proxy.admin == SocketAddressConfiguration(host: "127.0.0.1", port: 9901))
        #expect(proxy.accessLog == false)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.audit == fixture.directory.appendingPathComponent("audit.log").path)
        let expectedThresholds: [Duration] = [.days(30), .days(14), .days(7)]
        #expect(configuration.monitor.thresholds.thresholds == expectedThresholds)
        #expect(configuration.monitor.webhooks.first?.format == .alertmanager)
    }

    @Test("defaults: TLS 1.3, client certificates required, h2 and http/1.1")
    func defaults() throws {
        let fixture = try Fixture()
        let configuration = try fixture.load(Fixture.minimal)
        #expect(configuration.proxy.listener.tls.minimumVersion == .v1_3)
        #expect(configuration.proxy.listener.tls.clientAuthentication == .require)
        #expect(configuration.proxy.listener.applicationProtocols == ["h2", "http/1.1"])
        #expect(configuration.proxy.identityHeader == "x-forwarded-client-cert")
        #expect(configuration.proxy.authorization.allow.isEmpty)
    }

    @Test("every problem is listed with its line, not just the first")
    func everyProblem() throws {
        let fixture = try Fixture()
        let problems = fixture.problems(
            """
            listen:
              address: 0.0.0.0:99999
              tls:
                certificate: server.pem
                private_key: other-key.pem
                client_ca: missing.pem
                min_version: "1.1"
            upstream:
              url: ftp://backend
              timout: 3s
            authorization:
              allow:
                - {uri: a, dns: b}
            routes:
              - match: {path: v1/patients, methods: [post]}
            limits: {max_body: lots, header_timeout: 10 seconds}
            shutdown_grace: -1s
            """
        )
        let lines = problems.map(\.line)
        #expect(problems.count >= 10, "\(problems)")
        #expect(lines.contains(2))  // port out of range
        #expect(lines.contains(4))  // key does not match certificate
        #expect(lines.contains(6))  // missing client CA file
        #expect(lines.contains(7))  // min_version
        #expect(lines.contains(9))  // upstream url scheme
        #expect(lines.contains(10))  // unknown key timout
        #expect(lines.contains(13))  // two kinds in one allow entry
        #expect(lines.contains(15))  // route path and method
        #expect(lines.contains(16))  // size and duration
        #expect(lines.contains(17))  // negative duration
        #expect(problems.contains { $0.message.contains("unknown key 'timout' in upstream") })
        #expect(problems.contains { $0.message.contains("does not match the certificate") })
        #expect(problems.allSatisfy { $0.file.hasSuffix("sealgate.yaml") })
    }

    @Test("invalid YAML is reported with its line")
    func invalidYAML() throws {
        let fixture = try Fixture()
        let problems = fixture.problems("listen:\n  address: [unclosed\nupstream: {}\n")
        #expect(problems.count == 1)
        #expect(problems.first?.message.hasPrefix("invalid YAML") == true)
        #expect((problems.first?.line ?? 0) >= 2)
    }

    @Test("keys.kek: local, aws-kms, pkcs11 and vault-transit providers, each with its own keys; problems named with their line")
    func kekProviders() throws {
        let fixture = try Fixture()
        let base = Fixture.minimal
        func kek(_ text: String) -> String { base + "keys:\n  vault: keys\n  kek: \(text)\n" }
        let arn = "arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
        let kms = try fixture.load(kek("{provider: aws-kms, key_id: \"\(arn)\", endpoint: \"http://127.0.0.1:4566\"}"))
        #expect(kms.keys?.kek == .awsKMS(keyID: arn, region: nil, endpoint: "http://127.0.0.1:4566"))
        let alias = try fixture.load(kek("{provider: aws-kms, key_id: alias/sealgate, region: eu-west-1}"))
        #expect(alias.keys?.kek == .awsKMS(keyID: "alias/sealgate", region: "eu-west-1", endpoint: nil))
        let hsm = try fixture.load(kek("{provider: pkcs11, module: /usr/lib/softhsm/libsofthsm2.so, token: t, key_label: k, pin_env: HSM_PIN}"))
        #expect(hsm.keys?.kek == .pkcs11(module: "/usr/lib/softhsm/libsofthsm2.so", token: "t", keyLabel: "k", pin: .environment("HSM_PIN")))
        let pinFile = try fixture.load(kek("{provider: pkcs11, module: m.so, token: t, key_label: k, pin_file: secrets/pin}"))
        #expect(pinFile.keys?.kek == .pkcs11(module: "m.so", token: "t", keyLabel: "k", pin: .file(fixture.directory.appendingPathComponent("secrets/pin").path)))
        let transit = try fixture.load(kek(
            "{provider: vault-transit, address: \"https://vault:8200\", key: sealgate, ca: ca.pem, namespace: team, auth: {approle: {role_id_file: r, secret_id_file: s}}}"
        ))
        #expect(transit.keys?.kek == .vaultTransit(VaultTransitConfiguration(
            address: "https://vault:8200", mount: "transit", key: "sealgate", caFile: fixture.directory.appendingPathComponent("ca.pem").path, namespace: "team",
            authentication: .appRole(
                roleIDFile: fixture.directory.appendingPathComponent("r").path, secretIDFile: fixture.directory.appendingPathComponent("s").path, mount: "approle")
        )))
        let kubernetes = try fixture.load(kek("{provider: vault-transit, address: \"http://127.0.0.1:8200\", mount: kek, key: k, auth: {kubernetes: {role: sidecar}}}"))
        #expect(kubernetes.keys?.kek == .vaultTransit(VaultTransitConfiguration(
            address: "http://127.0.0.1:8200", mount: "kek", key: "k",
            authentication: .kubernetes(role: "sidecar", tokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token", mount: "kubernetes")
        )))

        let refusals: [(String, String)] = [
            ("{provider: aws-kms, region: eu-west-1}", "keys.kek.key_id (a key ARN, id or alias/NAME) is required for aws-kms"),
            ("{provider: aws-kms, key_id: alias/x}", "keys.kek.region is required unless keys.kek.key_id is a key ARN"),
            ("{provider: aws-kms, key_id: alias/x, region: r, endpoint: kms.local}", "keys.kek.endpoint must be an http:// or https:// URL"),
            ("{provider: aws-kms, key_id: alias/x, region: r, path: kek.json}", "keys.kek.path belongs to the local provider, not aws-kms"),
            ("{provider: pkcs11, module: m.so, token: t, key_label: k}", "keys.kek needs exactly one of pin_file"),
            ("{provider: pkcs11, module: m.so, token: t, key_label: k, pin_file: p, pin_env: P}", "keys.kek needs exactly one of pin_file"),
            ("{provider: pkcs11, token: t, key_label: k, pin_env: P}", "keys.kek.module is required for the pkcs11 provider"),
            ("{provider: vault, path: x}", "keys.kek.provider must be local, aws-kms, pkcs11 or vault-transit, not \"vault\""),
            ("{provider: vault-transit, key: k, auth: {token_file: t}}", "keys.kek.address (such as https://vault.example:8200) is required"),
            ("{provider: vault-transit, address: vault:8200, key: k, auth: {token_file: t}}", "keys.kek.address must be an http:// or https:// URL"),
            ("{provider: vault-transit, address: \"https://v:8200\", auth: {token_file: t}}", "keys.kek.key (the Transit key's name) is required"),
            ("{provider: vault-transit, address: \"https://v:8200\", key: k}", "keys.kek.auth is required for vault-transit"),
            ("{provider: vault-transit, address: \"https://v:8200\", key: k, auth: {}}", "keys.kek.auth takes exactly one method"),
            ("{provider: vault-transit, address: \"https://v:8200\", key: k, auth: {token_file: t, kubernetes: {role: r}}}", "keys.kek.auth takes exactly one method"),
            ("{provider: vault-transit, address: \"https://v:8200\", key: k, auth: {approle: {role_id_file: r}}}", "keys.kek.auth.approle needs role_id_file and secret_id_file"),
            ("{provider: vault-transit, address: \"https://v:8200\", key: k, auth: {kubernetes: {}}}", "keys.kek.auth.kubernetes needs role"),
            ("{provider: vault-transit, address: \"https://v:8200\", key: k, region: r, auth: {token_file: t}}", "keys.kek.region belongs to the aws-kms provider"),
        ]
        for (text, message) in refusals {
            let problems = fixture.problems(kek(text))
            #expect(problems.contains { $0.message.contains(message) && $0.line == 7 }, "\(text): \(problems.map(\.description))")
        }
    }

    @Test("field rules: paths are parsed at load, bad ones reported with their line")
    func fieldRules() throws {
        let fixture = try Fixture()
        let base = Fixture.minimal + """
            keys: {vault: keys/, kek: {provider: local, path: keys/kek.json}}
            routes:
              - match: {path: /v1/patients}
                encrypt:

            """
        let configuration = try fixture.load(base + "      - {path: \"$.contacts[*].phone\", key: pii-search}\n")
        #expect(configuration.proxy.routes[0].encrypt.map(\.path.description) == ["$.contacts[*].phone"])
        #expect(configuration.keys?.vaultPath == fixture.directory.appendingPathComponent("keys").path)
        let problems = fixture.problems(base + "      - {path: \"$.a[\", key: pii}\n      - {path: $.b, key: Bad/Name}\n")
        #expect(problems.map(\.line) == [9, 10])
        let overlapping = try fixture.load(base + "      - {path: $.card, key: pii}\n      - {path: $.card.number, key: financial}\n")
        #expect(overlapping.warnings.map(\.line) == [9])
        #expect(overlapping.warnings.first?.message.contains("$.card and $.card.number overlap") == true)
        let noKeys = fixture.problems(base.replacingOccurrences(of: "keys: {vault: keys/, kek: {provider: local, path: keys/kek.json}}\n", with: "") + "      - {path: $.ssn, key: pii}\n")
        #expect(noKeys.contains { $0.message.contains("keys section is missing") })
    }

    @Test(
        "durations",
        arguments: [("500ms", Duration.milliseconds(500)), ("30s", .seconds(30)), ("5m", .seconds(300)), ("1h", .seconds(3600)), ("14d", .seconds(14 * 86400))]
    )
    func durations(text: String, expected: Duration) {
        #expect(ConfigReader.parseDuration(text) == expected)
    }

    @Test("invalid durations and sizes", arguments: ["", "10", "1.5s", "-1s", "+1s", "s", "10 s", "1w"])
    func invalidDurations(text: String) {
        #expect(ConfigReader.parseDuration(text) == nil)
    }

    @Test("sizes", arguments: [("512B", 512), ("32KiB", 32768), ("10MiB", 10_485_760), ("1GiB", 1 << 30), ("1MB", 1_000_000), ("2048", 2048)])
    func sizes(text: String, expected: Int) {
        #expect(ConfigReader.parseSize(text) == expected)
    }

    @Test("addresses", arguments: [("0.0.0.0:8443", "0.0.0.0", 8443), ("[::1]:9901", "::1", 9901), ("localhost:1", "localhost", 1)])
    func addresses(text: String, host: String, port: Int) {
        let parsed = ConfigReader.parseAddress(text)
        #expect(parsed?.host == host)
        #expect(parsed?.port == port)
    }

    @Test("check-config exits 2 and prints file:line:column for every problem")
    func checkConfigCommand() async throws {
        let fixture = try Fixture()
        try fixture.write("listen: {address: nowhere}\nupstream: {url: x, extra: 1}\n", "broken.yaml")
        let path = fixture.directory.appendingPathComponent("broken.yaml").path
        let result = try await runProcess(TestEnvironment.sealgateBinary, ["check-config", path])
        let output = result.stderr
        #expect(result.status == 2)
        #expect(output.contains("\(path):1:"))
        #expect(output.contains("\(path):2:"))
        #expect(output.contains("unknown key 'extra' in upstream"))
    }
}
