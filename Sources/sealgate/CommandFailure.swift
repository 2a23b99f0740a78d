import ArgumentParser

/// A command that cannot go on: a message for standard error and the exit status.
struct CommandFailure: Error {
    /// What went wrong and what to do; never key material or a field value.
    var message: String
    /// 1 when the operation failed, 2 for configuration errors and refusals that need another command line.
    var exitCode: ExitCode

    init(_ message: String, exitCode: ExitCode = .failure) {
        self.message = message
        self.exitCode = exitCode
    }

    /// Runs a command's work and reports what it throws on standard error, never as a stack trace: a
    /// ``CommandFailure`` as `error: …` with its exit status, ``ConfigErrors`` with status 2, any other error as
    /// `error: …` with status 1.
    /// - Parameters:
    ///   - describe: The message of an error of another kind.
    ///   - body: The command's work.
    static func reporting(
        describe: (any Error) -> String = { "\($0)" },
        _ body: () async throws -> Void
    ) async throws {
        do {
            try await body()
        } catch let failure as CommandFailure {
            printToStandardError("error: \(failure.message)")
            throw failure.exitCode
        } catch let errors as ConfigErrors {
            printToStandardError(errors.description)
            throw ExitCode(2)
        } catch {
            printToStandardError("error: \(describe(error))")
            throw ExitCode.failure
        }
    }
}
