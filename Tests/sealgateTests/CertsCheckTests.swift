import Foundation
import SealgateCertificates
import Testing

@Suite("sealgate certs check")
struct CertsCheckTests {
    /// Writes certificates from a test CA that end `daysLeft` days from now (start `startsIn` days from now).
    func write(_ sandbox: KeysSandbox, _ name: String, daysLeft: Double, startsIn: Double = -10, extra: String = "") throws -> String {
        let now = Date()
        let ca = try DevelopmentPKI.makeCA(commonName: "Test CA", notBefore: now - 86_400 * 400, notAfter: now + 86_400 * 400)
        let leaf = try DevelopmentPKI.issue(
            by: ca, commonName: name, usage: .server, dnsNames: ["\(name).internal"], ipAddresses: ["10.0.0.1", "::1"],
            notBefore: now + startsIn * 86_400, notAfter: now + daysLeft * 86_400
        )
        try (try leaf.certificatePEM + extra).write(toFile: sandbox.path("\(name).pem"), atomically: true, encoding: .utf8)
        return "\(name).pem"
    }

    @Test(
        "Nagios exit codes from the most urgent certificate",
        arguments: [
            (200.0, -10.0, Int32(0), "CERTIFICATES OK"), (20, -10, 1, "CERTIFICATES WARNING"), (5, -10, 2, "CERTIFICATES CRITICAL"),
            (-1, -30, 2, "CERTIFICATES CRITICAL"), (100, 2, 2, "CERTIFICATES CRITICAL"),
        ]
    )
    func exitCodes(daysLeft: Double, startsIn: Double, status: Int32, summary: String) async throws {
        let sandbox = try KeysSandbox()
        let good = try self.write(sandbox, "good", daysLeft: 300)
        let tested = try self.write(sandbox, "tested", daysLeft: daysLeft, startsIn: startsIn)
        let outcome = try await sandbox.run(["certs", "check", good, tested])
        #expect(outcome.status == status, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.hasPrefix(summary))
        #expect(outcome.stdout.contains("2 certificates"))
    }

    @Test("--warn and --critical move the thresholds")
    func thresholds() async throws {
        let sandbox = try KeysSandbox()
        let file = try self.write(sandbox, "api", daysLeft: 45)
        #expect(try await sandbox.run(["certs", "check", file]).status == 0)
        #expect(try await sandbox.run(["certs", "check", "--warn", "60d", file]).status == 1)
        #expect(try await sandbox.run(["certs", "check", "--warn", "90d", "--critical", "50d", file]).status == 2)
        let refused = try await sandbox.run(["certs", "check", "--warn", "5d", "--critical", "7d", file])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("must not be longer than --warn"))
    }

    @Test("Nagios performance data: one 'days_left_<file>'=<days>d;<warn>;<critical> per certificate on the summary line")
    func performanceData() async throws {
        let sandbox = try KeysSandbox()
        let api = try self.write(sandbox, "api", daysLeft: 20.1)
        let expired = try self.write(sandbox, "old cert", daysLeft: -2, startsIn: -30)
        let now = Date()
        let ca = try DevelopmentPKI.makeCA(commonName: "Bundle CA", notBefore: now - 86_400, notAfter: now + 86_400 * 90)
        let leaf = try DevelopmentPKI.issue(by: ca, commonName: "svc", usage: .server, dnsNames: ["svc.internal"], notBefore: now - 86_400, notAfter: now + 86_400 * 45)
        try (try leaf.certificatePEM + "\n" + ca.certificatePEM).write(toFile: sandbox.path("chain.pem"), atomically: true, encoding: .utf8)

        let outcome = try await sandbox.run(["certs", "check", api, expired, "chain.pem"])
        #expect(outcome.status == 2)
        let first = try #require(outcome.stdout.split(separator: "\n").first)
        let parts = first.components(separatedBy: " | ")
        #expect(parts.count == 2, "\(first)")
        #expect(parts[0].hasPrefix("CERTIFICATES CRITICAL: 4 certificates"))
        #expect(parts.last == "'days_left_api'=20.1d;30;7 'days_left_old_cert'=-2.0d;30;7 'days_left_chain'=45.0d;30;7 'days_left_chain_2'=90.0d;30;7")

        let moved = try await sandbox.run(["certs", "check", "-w", "60", "-c", "36h", api])
        #expect(moved.status == 1)
        #expect(moved.stdout.hasPrefix("CERTIFICATES WARNING: 1 certificate"))
        #expect(moved.stdout.split(separator: "\n").first?.hasSuffix(" | 'days_left_api'=20.1d;60;1.5") == true, "\(moved.stdout)")
    }

    @Test("a wrong command line exits 3 (UNKNOWN), as a Nagios plugin must", arguments: [
        ["certs", "check"], ["certs", "check", "--warn", "soon", "a.pem"], ["certs", "check", "--bogus", "a.pem"],
        ["certs", "check", "-w", "5d", "-c", "7d", "a.pem"],
    ])
    func usageErrorsAreUnknown(arguments: [String]) async throws {
        let outcome = try await KeysSandbox().run(arguments)
        #expect(outcome.status == 3, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.hasPrefix("CERTIFICATES UNKNOWN: "), "\(outcome.stdout)")
        #expect(outcome.stdout.split(separator: "\n").count == 1)
        #expect(outcome.stderr.contains("Usage: sealgate certs check"), "\(outcome.stderr)")
    }

    @Test("--help shows -w/-c and their defaults")
    func helpShowsDefaults() async throws {
        let help = try await KeysSandbox().run(["certs", "check", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("-w, --warn <duration>"))
        #expect(help.stdout.contains("-c, --critical <duration>"))
        #expect(help.stdout.contains("(default: 30d)"))
        #expect(help.stdout.contains("(default: 7d)"))
    }

    @Test("an unreadable file or one without certificates exits 3 and is named; a critical certificate still wins")
    func unreadable() async throws {
        let sandbox = try KeysSandbox()
        let good = try self.write(sandbox, "good", daysLeft: 300)
        try "not a certificate\n".write(toFile: sandbox.path("junk.pem"), atomically: true, encoding: .utf8)
        let outcome = try await sandbox.run(["certs", "check", good, "junk.pem", "missing.pem"])
        #expect(outcome.status == 3)
        #expect(outcome.stdout.hasPrefix("CERTIFICATES UNKNOWN: 1 certificate, 2 unreadable files"))
        #expect(outcome.stdout.contains("junk.pem holds no PEM certificate"))
        #expect(outcome.stdout.contains("missing.pem"))
        let expired = try self.write(sandbox, "expired", daysLeft: -2, startsIn: -30)
        #expect(try await sandbox.run(["certs", "check", expired, "missing.pem"]).status == 2)
    }

    @Test("every certificate of a bundle is listed with names, issuer, serial and validity that openssl agrees with")
    func details() async throws {
        let sandbox = try KeysSandbox()
        let now = Date()
        let ca = try DevelopmentPKI.makeCA(commonName: "Bundle CA", notBefore: now - 86_400, notAfter: now + 86_400 * 20)
        let leaf = try DevelopmentPKI.issue(
            by: ca, commonName: "svc", usage: .server, dnsNames: ["svc.internal"], ipAddresses: ["10.0.0.1", "::1"],
            uris: ["spiffe://example.org/svc"], notBefore: now - 86_400, notAfter: now + 86_400 * 300
        )
        try (try leaf.certificatePEM + "\n" + ca.certificatePEM).write(toFile: sandbox.path("chain.pem"), atomically: true, encoding: .utf8)
        try (try leaf.certificatePEM).write(toFile: sandbox.path("leaf.pem"), atomically: true, encoding: .utf8)
        let outcome = try await sandbox.run(["certs", "check", "chain.pem"])
        #expect(outcome.status == 1, "the CA has 20 days left")
        #expect(outcome.stdout.contains("first to expire: CN=Bundle CA,O=sealgate development in chain.pem"))
        #expect(outcome.stdout.contains("[1] CN=svc,O=sealgate development"))
        #expect(outcome.stdout.contains("[2] CN=Bundle CA,O=sealgate development"))
        #expect(outcome.stdout.contains("SANs:     DNS:svc.internal, IP:10.0.0.1, IP:::1, URI:spiffe://example.org/svc"))

        let json = try await sandbox.run(["certs", "check", "--json", "chain.pem"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let certificates = try #require(document["certificates"] as? [[String: Any]])
        #expect(certificates.count == 2)
        #expect(certificates.map { $0["state"] as? String } == ["ok", "warning"])
        #expect(certificates[1]["threshold"] as? String == "30d")
        #expect(certificates[0]["uris"] as? [String] == ["spiffe://example.org/svc"])
        #expect(certificates[0]["dns"] as? [String] == ["svc.internal"])
        #expect(certificates[0]["path"] as? String == "chain.pem")

        // openssl, which .ci/run installs, as the independent reader.
        let serial = try await sandbox.run(
            ["openssl", "x509", "-in", "leaf.pem", "-noout", "-serial", "-fingerprint", "-sha256"], executable: "/usr/bin/env"
        )
        let lines = serial.stdout.split(separator: "\n")
        try #require(lines.count == 2, "openssl: \(serial.stderr)")
        #expect(lines[0].lowercased() == "serial=\(certificates[0]["serial"] as? String ?? "?")")
        #expect(lines[1].split(separator: "=")[1].replacingOccurrences(of: ":", with: "").lowercased() == certificates[0]["sha256"] as? String)
        #expect(certificates[0]["expires_in_seconds"] as? Int ?? 0 > 299 * 86_400)
    }
}
