import Foundation
import SealgateCertificates

/// A complete PKI written as PEM files into a directory: the CA, sealgate's server certificate,
/// and client certificates good and bad. Made fresh for each test run, relative to now.
struct TestPKI {
    let directory: URL
    /// The CA that signs the server and the trusted client certificates.
    let ca: DevelopmentPKI.Issued

    /// The client certificates the tests present.
    enum Client: String, CaseIterable {
        /// `spiffe://example.org/ns/intake/sa/writer`
        case writer
        /// `spiffe://example.org/ns/clinic/sa/reader`
        case reader
        /// `spiffe://other.org/ns/x/sa/intruder`: verified but not on any allow list.
        case intruder
        case expired
        case notYetValid = "not-yet-valid"
        /// Carries an extended key usage without clientAuth.
        case serverOnly = "server-only"
        /// Signed by a CA the proxy does not trust.
        case untrusted
    }

    static let writerURI = "spiffe://example.org/ns/intake/sa/writer"
    static let readerURI = "spiffe://example.org/ns/clinic/sa/reader"
    static let serverURI = "spiffe://example.org/ns/edge/sa/sealgate"

    var caPath: String { self.directory.appendingPathComponent("ca.pem").path }
    var serverCertificatePath: String { self.directory.appendingPathComponent("server.pem").path }
    var serverKeyPath: String { self.directory.appendingPathComponent("server-key.pem").path }
    func certificatePath(_ client: Client) -> String { self.directory.appendingPathComponent("\(client.rawValue).pem").path }
    func keyPath(_ client: Client) -> String { self.directory.appendingPathComponent("\(client.rawValue)-key.pem").path }

    init(in directory: URL) throws {
        self.directory = directory
        let now = Date()
        let day: TimeInterval = 86400
        let ca = try DevelopmentPKI.makeCA(commonName: "sealgate test CA", notBefore: now - day, notAfter: now + 365 * day)
        self.ca = ca
        let otherCA = try DevelopmentPKI.makeCA(commonName: "untrusted CA", notBefore: now - day, notAfter: now + 365 * day)
        try DevelopmentPKI.write(ca, name: "ca", in: directory)
        try DevelopmentPKI.write(try Self.server(signedBy: ca, daysLeft: 90), name: "server", in: directory)
        let clients: [(Client, DevelopmentPKI.Issued)] = [
            (.writer, try DevelopmentPKI.issue(by: ca, commonName: "writer", usage: .client, uris: [Self.writerURI], notBefore: now - day, notAfter: now + 90 * day)),
            (.reader, try DevelopmentPKI.issue(by: ca, commonName: "reader", usage: .client, dnsNames: ["reader.clinic.internal"], uris: [Self.readerURI], notBefore: now - day, notAfter: now + 90 * day)),
            (.intruder, try DevelopmentPKI.issue(by: ca, commonName: "intruder", usage: .client, uris: ["spiffe://other.org/ns/x/sa/intruder"], notBefore: now - day, notAfter: now + 90 * day)),
            (.expired, try DevelopmentPKI.issue(by: ca, commonName: "expired", usage: .client, uris: [Self.writerURI], notBefore: now - 30 * day, notAfter: now - day)),
            (.notYetValid, try DevelopmentPKI.issue(by: ca, commonName: "future", usage: .client, uris: [Self.writerURI], notBefore: now + day, notAfter: now + 30 * day)),
            (.serverOnly, try DevelopmentPKI.issue(by: ca, commonName: "server-only", usage: .server, uris: [Self.writerURI], notBefore: now - day, notAfter: now + 90 * day)),
            (.untrusted, try DevelopmentPKI.issue(by: otherCA, commonName: "writer", usage: .client, uris: [Self.writerURI], notBefore: now - day, notAfter: now + 90 * day)),
        ]
        for (client, issued) in clients { try DevelopmentPKI.write(issued, name: client.rawValue, in: directory) }
    }

    /// A server certificate for localhost and 127.0.0.1 from `ca`, valid since yesterday for `daysLeft` more days.
    static func server(signedBy ca: DevelopmentPKI.Issued, daysLeft: Double) throws -> DevelopmentPKI.Issued {
        let now = Date()
        return try DevelopmentPKI.issue(
            by: ca,
            commonName: "localhost",
            usage: .server,
            dnsNames: ["localhost"],
            ipAddresses: ["127.0.0.1"],
            uris: [Self.serverURI],
            notBefore: now - 86400,
            notAfter: now + daysLeft * 86400
        )
    }
}
