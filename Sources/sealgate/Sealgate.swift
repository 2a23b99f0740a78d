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

    /// ArgumentParser's `main`, plus: a mistyped command name gets the nearest command suggested, and
    /// `certs check`, a Nagios plugin, answers a wrong command line with `CERTIFICATES UNKNOWN: …` on
    /// standard output and exit 3 (UNKNOWN) rather than 64.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let message = CommandSuggestion.message(for: arguments, root: Self.self) {
            printToStandardError(message)
            Self.exit(withError: ExitCode.validationFailure)
        }
        do {
            var command = try Self.parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if arguments.starts(with: ["certs", "check"]), Self.exitCode(for: error) == .validationFailure {
                // Nagios shows the first line of standard output; the usage goes to standard error.
                print("CERTIFICATES UNKNOWN: \(Self.message(for: error))")
                printToStandardError(Self.fullMessage(for: error))
                Self.exit(withError: ExitCode(3))
            }
            Self.exit(withError: error)
        }
    }
}

enum SealgateVersion {
    static let current = "0.1.0"
}
