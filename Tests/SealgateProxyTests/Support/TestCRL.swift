import Foundation
import SealgateTestSupport

/// Makes CRLs of the test CA with two independent tools: `openssl ca -gencrl` (a minimal CA database in a
/// directory of its own) and Python cryptography (for CRLs that are stale already, which `openssl ca` cannot write;
/// it cannot revoke the test certificates, whose 160-bit random serials it refuses).
enum TestCRL {
    /// Whether Python cryptography can be imported (installed by .ci/run).
    static let pythonAvailable = TestEnvironment.isCI || TestEnvironment.pythonImports("cryptography")
    static let maker = TestEnvironment.testsDirectory.appendingPathComponent("Fixtures/make_crl.py").path

    /// Writes to `output` (PEM) a CRL of the CA of the ``TestPKI`` in `directory`, revoking the certificate files
    /// `revoked` (`reader.pem`) of that directory, due again in 7 days, made by `openssl ca -revoke` and `-gencrl`;
    /// replaced atomically, as a CRL publisher should.
    static func openssl(revoking revoked: [String], in directory: URL, to output: String) async throws {
        let database = directory.appendingPathComponent("openssl-ca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: database, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: database) }
        let configuration = database.appendingPathComponent("ca.cnf").path
        try """
            [ca]
            default_ca = test
            [test]
            database = \(database.path)/index.txt
            crlnumber = \(database.path)/crlnumber
            default_md = sha256
            default_crl_days = 7
            """.write(toFile: configuration, atomically: true, encoding: .utf8)
        try "".write(toFile: "\(database.path)/index.txt", atomically: true, encoding: .utf8)
        try "01\n".write(toFile: "\(database.path)/crlnumber", atomically: true, encoding: .utf8)
        let ca = ["-config", configuration, "-cert", Self.caPath(directory), "-keyfile", Self.caKeyPath(directory)]
        for file in revoked {
            try await Self.run("openssl", ["ca"] + ca + ["-revoke", directory.appendingPathComponent(file).path])
        }
        let temporary = output + ".tmp"
        try await Self.run("openssl", ["ca"] + ca + ["-gencrl", "-out", temporary])
        guard rename(temporary, output) == 0 else { throw TestFailure("cannot rename \(temporary) to \(output)") }
    }

    /// Writes to `output` a CRL of the CA of the ``TestPKI`` in `directory` made with Python cryptography, revoking
    /// nothing, due `nextUpdate` seconds from now (negative: stale), in DER.
    static func python(in directory: URL, nextUpdate: Int, to output: String) async throws {
        try await Self.run("python3", [Self.maker, Self.caPath(directory), Self.caKeyPath(directory), output, String(nextUpdate)])
    }

    private static func caPath(_ directory: URL) -> String { directory.appendingPathComponent("ca.pem").path }
    private static func caKeyPath(_ directory: URL) -> String { directory.appendingPathComponent("ca-key.pem").path }

    private static func run(_ tool: String, _ arguments: [String]) async throws {
        let output = try await runProcess(tool, arguments)
        guard output.status == 0 else { throw TestFailure("\(tool) \(arguments.joined(separator: " ")): \(output.stderr)") }
    }
}
