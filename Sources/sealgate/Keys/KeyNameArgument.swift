import ArgumentParser
import SealgateCrypto

/// The `NAME` argument of the key commands, checked against the key name rule.
struct KeyNameArgument: ParsableArguments {
    @Argument(help: "The key name: 1 to 63 of a-z 0-9 . _ -, starting with a letter or digit.")
    var name: String

    func validate() throws {
        guard KeyVault.isValidKeyName(name) else { throw ValidationError(Self.rule(name)) }
    }

    /// The message for an invalid key name.
    static func rule(_ name: String) -> String {
        "invalid key name \"\(name)\": use 1 to 63 of a-z 0-9 . _ -, starting with a letter or digit"
    }
}
