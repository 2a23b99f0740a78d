import ArgumentParser
import SealgateProxy

/// `sealgate encrypt --config FILE --route PATH [--ndjson]`: encrypts a document on standard input exactly as the
/// proxy encrypts request bodies of that route.
struct EncryptCommand: FieldSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "encrypt",
        abstract: "Encrypt the fields of a JSON document (standard input to standard output) as the proxy does.",
        discussion: """
            The rules of the first route matching --route apply. An sg1: string at a rule path must be an \
            authentic token of that rule and is kept unchanged. Exit status: 1 for invalid JSON or a refused \
            token (the message names the byte offset and rule path, never a value), 2 for configuration errors.
            """
    )

    @OptionGroup var rules: FieldRulesOptions

    @Flag(help: "Read NDJSON: one document per line.")
    var ndjson = false

    func execute() async throws {
        _ = try StandardStreamRewrite.run(try await rules.rewriter(mode: .encrypt), ndjson: ndjson)
    }
}
