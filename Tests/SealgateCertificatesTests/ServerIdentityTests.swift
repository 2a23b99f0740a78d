import Foundation
import SealgateCertificates
import Testing
import X509

@Suite("Loading certificates and keys")
struct ServerIdentityTests {
    func write(_ text: String, _ name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sealgate-certs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("a chain and its key load; a key of another certificate is refused")
    func keyMustMatch() throws {
        let directory = try self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = Date()
        let ca = try DevelopmentPKI.makeCA(commonName: "CA", notBefore: now - 60, notAfter: now + 3600)
        let server = try DevelopmentPKI.issue(by: ca, commonName: "s", usage: .server, dnsNames: ["localhost"], notBefore: now - 60, notAfter: now + 3600)
        let other = try DevelopmentPKI.issue(by: ca, commonName: "o", usage: .server, notBefore: now - 60, notAfter: now + 3600)
        let chain = try self.write(try server.certificatePEM + "\n" + ca.certificatePEM, "chain.pem", in: directory)
        let key = try self.write(server.privateKeyPEM, "key.pem", in: directory)
        let otherKey = try self.write(other.privateKeyPEM, "other-key.pem", in: directory)

        let identity = try ServerIdentity(certificatePath: chain, privateKeyPath: key)
        #expect(identity.chain.certificates.count == 2)
        #expect(identity.leaf.subject == server.certificate.subject)
        #expect(throws: SealgateCertificatesError(.keyDoesNotMatchCertificate, "")) {
            try ServerIdentity(certificatePath: chain, privateKeyPath: otherKey)
        }
    }

    @Test("unreadable, empty and garbage files give clear errors")
    func badFiles() throws {
        let directory = try self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.pem").path
        let empty = try self.write("", "empty.pem", in: directory)
        let garbage = try self.write("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", "garbage.pem", in: directory)
        let error = #expect(throws: SealgateCertificatesError.self) { try CertificateBundle(path: missing) }
        #expect(error?.code == .unreadableFile)
        #expect(error?.message.contains(missing) == true)
        #expect(throws: SealgateCertificatesError(.emptyBundle, "")) { try CertificateBundle(path: empty) }
        #expect(throws: SealgateCertificatesError.self) { try CertificateBundle(path: garbage) }
    }
}
