import ArgumentParser

/// `sealgate keys …`: manages the key vault (data keysets wrapped by the KEK).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the key vault: data keys, their rotation and the KEK that wraps them.",
        discussion: """
            Every command takes --config FILE (using keys.vault, keys.kek and log.audit) or, for the local \
            KEK provider, --vault DIR --kek FILE (audit events go to standard error, or to --audit FILE). \
            Exit status: 0 on success, 1 when the operation fails, 2 for configuration errors and refusals \
            (destroy without --confirm, export without --insecure-cleartext).
            """,
        subcommands: [
            KeysInitCommand.self, KeysCreateCommand.self, KeysListCommand.self, KeysRotateCommand.self,
            KeysRotateKEKCommand.self, KeysVerifyCommand.self, KeysDestroyCommand.self, KeysExportCommand.self, KeysImportCommand.self,
        ]
    )
}
