import ArgumentParser
import SealgateProxy

/// `sealgate decrypt --config FILE --route PATH [--ndjson]`: decrypts the tokens at the rule paths of a route.
struct DecryptCommand: FieldSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt the tokens at a route's rule paths (standard input to standard output).",
        discussion: """
            Tokens that do not decrypt with their rule's key and path are kept as they are and counted on \
            standard error. Exit status: 1 for invalid JSON, 2 for configuration errors.
            """
    )

    @OptionGroup var rules: FieldRulesOptions

    @Flag(help: "Read NDJSON: one document per line.")
    var ndjson = false

    func execute() async throws {
        let counts = try StandardStreamRewrite.run(try await rules.rewriter(mode: .decrypt), ndjson: ndjson)
        if counts.undecryptable > 0 {
            printToStandardError("warning: \(counts.undecryptable) tokens at rule paths did not decrypt and were kept")
        }
    }
}
