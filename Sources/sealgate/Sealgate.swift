import ArgumentParser

@main
struct Sealgate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A TLS 1.3 / mutual-TLS sidecar that encrypts configured JSON fields on their way to the backend.",
        version: SealgateVersion.current,
        subcommands: [
            RunCommand.self, CheckConfigCommand.self, KeysCommand.self, EncryptCommand.self, DecryptCommand.self,
            ReencryptCommand.self, CertsCommand.self, DemoCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )
}

enum SealgateVersion {
    static let current = "0.1.0"
}
