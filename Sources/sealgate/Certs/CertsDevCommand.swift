import ArgumentParser
import SealgateCertificates

/// `sealgate certs dev [--out DIR] [--force]`: writes a development PKI.
struct CertsDevCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Write a development PKI: a CA, a server certificate and the writer and reader client certificates.",
        discussion: """
            The server certificate names localhost, 127.0.0.1, ::1 and \(DevelopmentPKI.spiffeID("sealgate")); \
            the client certificates carry \(DevelopmentPKI.spiffeID("writer")) and \(DevelopmentPKI.spiffeID("reader")). \
            Private keys are written with mode 0600. For development only.
            """
    )

    @Option(help: "The directory to write into.")
    var out = "certs"

    @Flag(help: "Replace existing files.")
    var force = false

    func run() throws {
        do {
            let paths = try DevelopmentPKI.writeDevelopmentPKI(to: self.out, overwrite: self.force)
            for path in paths { print("wrote \(path)") }
        } catch {
            printToStandardError("sealgate certs dev: \(error)")
            throw ExitCode(1)
        }
    }
}
