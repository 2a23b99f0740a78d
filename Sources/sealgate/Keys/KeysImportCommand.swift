import ArgumentParser
import Foundation
import SealgateCrypto
import SealgateProxy

/// `sealgate keys import NAME FILE`: stores a Tink cleartext JSON keyset under a new key name.
struct KeysImportCommand: KeysSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Store a keyset given in Tink's cleartext JSON keyset format under a new key name.",
        discussion: "The keyset must hold aes256-gcm or aes256-siv keys with Tink's TINK output prefix."
    )

    @OptionGroup var options: KeyVaultOptions
    @OptionGroup var key: KeyNameArgument

    @Argument(help: ArgumentHelp("The Tink cleartext JSON keyset file, or - for standard input.", valueName: "file"))
    var file: String

    func run(at location: KeyStoreLocation) async throws {
        let json = try readInput()
        let keyset = try await location.addKey(
            key.name,
            event: .keyImported,
            advice: "import never replaces a key: choose another name"
        ) { vault in
            try await vault.importCleartext(key.name, json: json)
        }
        let ids = keyset.keys.map { String($0.id) }.joined(separator: ", ")
        print(
            "imported key \(key.name) (\(keyset.type.rawValue), key ids \(ids), primary \(keyset.primaryKeyID)) "
                + "into \(location.vaultDirectory)"
        )
        if file != "-" {
            print("note: \(file) still holds the key material in cleartext; delete it once it is no longer needed")
        }
    }

    private func readInput() throws -> Data {
        do {
            return file == "-"
                ? try FileHandle.standardInput.readToEnd() ?? Data()
                : try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw CommandFailure("cannot read \(file == "-" ? "standard input" : file)")
        }
    }
}
