import ArgumentParser

/// A key command that cannot go on: a message for standard error and the exit status.
struct KeysCommandFailure: Error {
    /// What went wrong and what to do; never key material.
    var message: String
    /// 1 when the operation failed, 2 for refusals that need another command line.
    var exitCode: ExitCode

    init(_ message: String, exitCode: ExitCode = .failure) {
        self.message = message
        self.exitCode = exitCode
    }
}
