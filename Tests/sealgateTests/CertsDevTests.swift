import Foundation
import SealgateCertificates
import SwiftASN1
import Testing
import X509

@Suite("sealgate certs dev")
struct CertsDevTests {
    @Test("writes the CA, server and client certificates with 0600 keys and the expected names")
    func writesThePKI() async throws {
        let sandbox = try KeysSandbox()
        let outcome = try await sandbox.succeed(["certs", "dev", "--out", "pki"])
        for file in DevelopmentPKI.developmentFiles {
            #expect(outcome.stdout.contains("wrote pki/\(file)"))
            let attributes = try FileManager.default.attributesOfItem(atPath: sandbox.path("pki/\(file)"))
            if file.hasSuffix("-key.pem") {
                #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(file)")
            }
        }
        let server = try Certificate(
            pemEncoded: String(contentsOfFile: sandbox.path("pki/server.pem"), encoding: .utf8))
        let names = try #require(try server.extensions.subjectAlternativeNames)
        #expect(names.contains(.dnsName("localhost")))
        #expect(names.contains(.uniformResourceIdentifier("spiffe://sealgate.local/ns/demo/sa/sealgate")))
        #expect(names.filter { if case .ipAddress = $0 { true } else { false } }.count == 2)
        for client in ["writer", "reader"] {
            let certificate = try Certificate(
                pemEncoded: String(contentsOfFile: sandbox.path("pki/\(client).pem"), encoding: .utf8))
            let uris = try #require(try certificate.extensions.subjectAlternativeNames)
            #expect(
                Array(uris) == [GeneralName.uniformResourceIdentifier("spiffe://sealgate.local/ns/demo/sa/\(client)")])
            #expect(try certificate.extensions.extendedKeyUsage?.contains(.clientAuth) == true)
        }
    }

    @Test("refuses to overwrite existing files without --force")
    func refusesToOverwrite() async throws {
        let sandbox = try KeysSandbox()
        try await sandbox.succeed(["certs", "dev", "--out", "pki"])
        let before = try String(contentsOfFile: sandbox.path("pki/ca.pem"), encoding: .utf8)
        let refused = try await sandbox.run(["certs", "dev", "--out", "pki"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("exists"))
        #expect(try String(contentsOfFile: sandbox.path("pki/ca.pem"), encoding: .utf8) == before)
        try await sandbox.succeed(["certs", "dev", "--out", "pki", "--force"])
        #expect(try String(contentsOfFile: sandbox.path("pki/ca.pem"), encoding: .utf8) != before)
    }
}
