import Foundation
import SealgateCertificates
import SwiftASN1
import Testing
import X509

@Suite("Certificate revocation lists")
struct RevocationListTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    let ca = try! DevelopmentPKI.makeCA(commonName: "CRL test CA", notBefore: now - 86_400, notAfter: now + 365 * 86_400)
    let otherCA = try! DevelopmentPKI.makeCA(commonName: "other CA", notBefore: now - 86_400, notAfter: now + 365 * 86_400)

    func list(revoking serials: [Certificate.SerialNumber] = [Certificate.SerialNumber(0x1234)], nextUpdate: Date? = now + 7 * 86_400) -> TestRevocationList {
        TestRevocationList(issuer: self.ca.certificate.subject, thisUpdate: Self.now - 3600, nextUpdate: nextUpdate, revoked: serials)
    }

    @Test("a list's issuer, times, revoked serials and number are read, and its signature verifies against its CA only")
    func parses() throws {
        let parsed = try CertificateRevocationList(derBytes: try self.list().der(signedWith: self.ca.privateKey))
        #expect(parsed.issuer == self.ca.certificate.subject)
        #expect(parsed.thisUpdate == Self.now - 3600)
        #expect(parsed.nextUpdate == Self.now + 7 * 86_400)
        #expect(parsed.revokes(serial: Certificate.SerialNumber(0x1234)))
        #expect(!parsed.revokes(serial: Certificate.SerialNumber(0x1235)))
        #expect(parsed.number == "07")
        #expect(parsed.isSigned(by: self.ca.certificate))
        #expect(!parsed.isSigned(by: self.otherCA.certificate))
        #expect(!parsed.isStale(at: Self.now))
        #expect(parsed.isStale(at: Self.now + 8 * 86_400))
    }

    @Test("a list signed by another key with the CA's name does not verify")
    func forgedSignature() throws {
        let parsed = try CertificateRevocationList(derBytes: try self.list().der(signedWith: self.otherCA.privateKey))
        #expect(!parsed.isSigned(by: self.ca.certificate))
    }

    @Test("an empty list (no revokedCertificates) parses")
    func emptyList() throws {
        let parsed = try CertificateRevocationList(derBytes: try self.list(revoking: []).der(signedWith: self.ca.privateKey))
        #expect(parsed.revokedSerials.isEmpty)
    }

    @Test("PEM files with several lists give each; a PEM file without one is refused")
    func pemFiles() throws {
        let text = try self.list().pem(signedWith: self.ca.privateKey) + (try self.list(revoking: []).pem(signedWith: self.ca.privateKey))
        #expect(try CertificateRevocationList.all(inFile: Array(text.utf8)).count == 2)
        let certificate = try self.ca.certificatePEM
        #expect(throws: SealgateCertificatesError(.invalidRevocationList, "")) {
            try CertificateRevocationList.all(inFile: Array(certificate.utf8))
        }
    }

    @Test("lists sealgate cannot fully understand are refused: no nextUpdate, unknown critical extensions, garbage")
    func refused() throws {
        var critical = self.list()
        critical.extensions.append(Certificate.Extension(oid: [2, 5, 29, 27], critical: true, value: [0x02, 0x01, 0x01]))
        var criticalEntry = self.list()
        criticalEntry.entryExtension = Certificate.Extension(oid: [2, 5, 29, 29], critical: true, value: [0x30, 0x00])
        let inputs = [
            try self.list(nextUpdate: nil).der(signedWith: self.ca.privateKey),
            try critical.der(signedWith: self.ca.privateKey),
            try criticalEntry.der(signedWith: self.ca.privateKey),
            Array("not a CRL".utf8),
        ]
        for input in inputs {
            #expect(throws: SealgateCertificatesError(.invalidRevocationList, "")) { try CertificateRevocationList(derBytes: input) }
        }
    }

    /// Writes `text` to a new temporary file and returns its path.
    func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("crl-\(UUID().uuidString).pem").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a set refuses a list no configured CA signed, naming the file")
    func unsignedListRefused() throws {
        let path = try self.file(try self.list().pem(signedWith: self.otherCA.privateKey))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: SealgateCertificatesError(.invalidRevocationList, "")) {
            try CertificateRevocationSet(paths: [path], issuers: [self.ca.certificate, self.otherCA.certificate])
        }
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains("not signed by any configured CA") == true)
    }

    @Test("verdicts: revoked, good, no list of the issuer, stale only when refused")
    func verdicts() throws {
        let stale = try self.file(try self.list(nextUpdate: Self.now - 60).pem(signedWith: self.ca.privateKey))
        defer { try? FileManager.default.removeItem(atPath: stale) }
        let set = try CertificateRevocationSet(paths: [stale], issuers: [self.ca.certificate])
        let issuer = self.ca.certificate.subject
        #expect(set.verdict(issuer: issuer, serial: Certificate.SerialNumber(0x1234), at: Self.now, refuseStale: false) == .revoked(by: set.entries[0]))
        #expect(set.verdict(issuer: issuer, serial: Certificate.SerialNumber(0x99), at: Self.now, refuseStale: false) == .good)
        #expect(set.verdict(issuer: issuer, serial: Certificate.SerialNumber(0x99), at: Self.now, refuseStale: true) == .stale(set.entries[0]))
        #expect(set.verdict(issuer: self.otherCA.certificate.subject, serial: Certificate.SerialNumber(0x99), at: Self.now, refuseStale: false) == .noList)
        let refusal = try #require(set.verdict(issuer: issuer, serial: Certificate.SerialNumber(0x1234), at: Self.now, refuseStale: false)
            .refusal(subject: "CN=stolen", issuer: issuer.description, serial: Certificate.SerialNumber(0x1234)))
        #expect(refusal.code == .certificateRevoked)
        #expect(refusal.message.contains("CN=stolen") && refusal.message.contains("serial 1234") && refusal.message.contains(stale))
    }

    @Test("/certs shows a list with role crl: issuer, thisUpdate, nextUpdate and state, no subject or serial")
    func reportEntry() throws {
        let path = try self.file(try self.list(nextUpdate: Self.now - 60).pem(signedWith: self.ca.privateKey))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let watched = try CertificateRevocationSet(paths: [path], issuers: [self.ca.certificate]).watched(role: .crl)
        let status = CertificateStatus(watched[0], thresholds: .default, at: Self.now)
        #expect(status.assessment.state == .expired)
        let json = CertificateReport(certificates: [status]).json()
        #expect(json.contains(#""role":"crl""#) && json.contains(#""crl_number":"07""#) && json.contains(#""threshold":null"#))
        #expect(json.contains(#""state":"expired""#) && !json.contains(#""subject""#) && !json.contains(#""serial""#))
        #expect(ExpiryAlert(event: .firing, status: status, startsAt: Self.now).name == "SealgateCRLStale")
    }
}
