import Foundation

extension DevelopmentPKI {
    /// The SPIFFE trust domain of the development PKI that `sealgate certs dev` and `sealgate demo` write.
    public static let trustDomain = "sealgate.local"

    /// The SPIFFE ID of a workload in the development trust domain, `spiffe://sealgate.local/ns/demo/sa/<name>`.
    /// - Parameter name: the service account name.
    public static func spiffeID(_ name: String) -> String {
        "spiffe://\(Self.trustDomain)/ns/demo/sa/\(name)"
    }

    /// The client identities of the development PKI: one certificate each, named after the identity.
    public static let developmentClients = ["writer", "reader"]

    /// The files of the development PKI, in the order they are written.
    public static let developmentFiles: [String] =
        (["ca", "server"] + Self.developmentClients).flatMap { ["\($0).pem", "\($0)-key.pem"] }

    /// Writes a development PKI into `directoryPath`: `ca.pem`, `server.pem` (localhost, 127.0.0.1, ::1 and
    /// the SPIFFE ID of `sealgate`) and one client certificate per name of ``developmentClients``, each with
    /// its SPIFFE ID; every certificate with its `-key.pem` (mode 0600). Certificates are valid from a day ago
    /// for a year (the CA) or 90 days (the others).
    /// - Parameters:
    ///   - directoryPath: where to write; created when missing.
    ///   - overwrite: whether existing files may be replaced; without it an existing file is an error and
    ///     nothing is written.
    /// - Returns: the paths written.
    @discardableResult
    public static func writeDevelopmentPKI(to directoryPath: String, overwrite: Bool) throws -> [String] {
        let paths = Self.developmentFiles.map { "\(directoryPath)/\($0)" }
        if !overwrite, let existing = paths.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            throw SealgateCertificatesError(.fileExists, "\(existing) exists (use --force to replace it)")
        }
        let directory = URL(fileURLWithPath: directoryPath)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let now = Date()
        let day: TimeInterval = 86400
        let ca = try Self.makeCA(commonName: "sealgate development CA", notBefore: now - day, notAfter: now + 365 * day)
        try Self.write(ca, name: "ca", in: directory)
        let server = try Self.issue(
            by: ca,
            commonName: "localhost",
            usage: .server,
            dnsNames: ["localhost"],
            ipAddresses: ["127.0.0.1", "::1"],
            uris: [Self.spiffeID("sealgate")],
            notBefore: now - day,
            notAfter: now + 90 * day
        )
        try Self.write(server, name: "server", in: directory)
        for client in Self.developmentClients {
            let issued = try Self.issue(
                by: ca,
                commonName: client,
                usage: .client,
                uris: [Self.spiffeID(client)],
                notBefore: now - day,
                notAfter: now + 90 * day
            )
            try Self.write(issued, name: client, in: directory)
        }
        return paths
    }

    /// Writes `<name>.pem` and `<name>-key.pem` (mode 0600, never readable by others, even briefly).
    /// - Parameters:
    ///   - issued: the certificate and its key.
    ///   - name: the file name without `.pem`.
    ///   - directory: an existing directory.
    public static func write(_ issued: Issued, name: String, in directory: URL) throws {
        try issued.certificatePEM.write(
            to: directory.appendingPathComponent("\(name).pem"), atomically: true, encoding: .utf8)
        let keyPath = directory.appendingPathComponent("\(name)-key.pem").path
        try? FileManager.default.removeItem(atPath: keyPath)
        guard FileManager.default.createFile(atPath: keyPath, contents: nil, attributes: [.posixPermissions: 0o600])
        else {
            throw SealgateCertificatesError(.unwritableFile, "\(keyPath) cannot be created")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: keyPath))
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(issued.privateKeyPEM.utf8))
    }
}
