import ArgumentParser

/// An `encrypt`, `decrypt` or `reencrypt` run that cannot go on: a message naming offsets, lines and rule paths
/// (never a value) and the exit status.
struct FieldCommandFailure: Error {
    /// What went wrong and where.
    var message: String
    /// 1 when the data or the keys fail, 2 for configuration errors.
    var exitCode: ExitCode

    init(_ message: String, exitCode: ExitCode = .failure) {
        self.message = message
        self.exitCode = exitCode
    }
}
