import ArgumentParser

/// `encrypt`, `decrypt` or `reencrypt`: reports every error the same way, as `error: …` on standard error with
/// exit status 2 for configuration errors and 1 for data or key failures; never a value, never a stack trace.
protocol FieldSubcommand: AsyncParsableCommand {
    /// Does the command's work.
    func execute() async throws
}

extension FieldSubcommand {
    func run() async throws {
        try await CommandFailure.reporting(describe: ErrorText.describe) { try await execute() }
    }
}
