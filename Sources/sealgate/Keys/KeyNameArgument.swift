import ArgumentParser
import SealgateCrypto

/// The `NAME` argument of the key commands, checked against the key name rule.
struct KeyNameArgument: ParsableArguments {
    @Argument(help: "The key name: 1 to 63 of a-z 0-9 . _ -, starting with a letter or digit.")
    var name: String

    func validate() throws {
        guard KeyVault.isValidKeyName(name) else {
            throw ValidationError(
                "invalid key name \"\(name)\": use 1 to 63 of a-z 0-9 . _ -, starting with a letter or digit"
            )
        }
    }
}
