import ArgumentParser

/// `sealgate certs`: certificate tools.
struct CertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Certificate tools.",
        subcommands: [CertsCheckCommand.self, CertsDevCommand.self]
    )
}
