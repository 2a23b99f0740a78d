import ArgumentParser
import SealgateCrypto

/// A `sealgate keys` subcommand: it finds the keys through its ``KeyVaultOptions`` and reports every error the same
/// way, as `error: …` on standard error with exit status 2 for configuration errors and refusals and 1 for failed
/// operations; never a stack trace, never key material.
protocol KeysSubcommand: AsyncParsableCommand {
    /// `--config FILE` or `--vault DIR --kek FILE`.
    var options: KeyVaultOptions { get }

    /// Does the command's work on the keys at `location`.
    func run(at location: KeyStoreLocation) async throws
}

extension KeysSubcommand {
    func run() async throws {
        try await CommandFailure.reporting(describe: Self.describe) {
            do {
                try await run(at: options.location())
            } catch let error as SealgateCryptoError where error.code == .insecureFilePermissions {
                // A refusal, like a configuration error: the file's mode must change before anything runs.
                throw CommandFailure(error.message, exitCode: ExitCode(2))
            }
        }
    }

    /// The message of a library error, with a hint for crypto errors.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? SealgateCryptoError else { return ErrorText.describe(error) }
        return "\(error.message)\(Self.hint(for: error.code))"
    }

    /// What to try next after a library error, appended to its message.
    private static func hint(for code: SealgateCryptoError.Code) -> String {
        switch code {
        case .authenticationFailure, .unknownKeyID:
            " (is this the KEK the vault was written with? after `sealgate keys rotate-kek`, use the new KEK)"
        case .keyNotFound:
            " (`sealgate keys list` shows the keys)"
        default:
            ""
        }
    }
}
