import Testing

@testable import sealgate

/// Messages a person can act on when the command line is wrong.
@Suite("Command-line messages")
struct CommandLineMessagesTests {
    @Test("a mistyped command suggests the nearest one instead of complaining about run's --config", arguments: [
        (["chek-config", "x"], "'chek-config' is not a command of sealgate. Did you mean 'check-config'?"),
        (["cert", "check", "a.pem"], "'cert' is not a command of sealgate. Did you mean 'certs'?"),
        (["keys", "lsit"], "'lsit' is not a command of sealgate keys. Did you mean 'list'?"),
    ])
    func mistypedCommand(arguments: [String], message: String) async throws {
        let outcome = try await KeysSandbox().run(arguments)
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("--config"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("Commands: "))
    }

    @Test("edit distance counts a swap of neighbours as one edit", arguments: [
        ("lsit", "list", 1), ("chek-config", "check-config", 1), ("cert", "certs", 1), ("lsit", "init", 2), ("", "run", 3),
    ])
    func distance(a: String, b: String, expected: Int) {
        #expect(CommandSuggestion.distance(a, b) == expected)
    }

    @Test("a word far from every command gets the list of commands, not a guess")
    func unknownCommand() {
        let message = CommandSuggestion.message(for: ["frobnicate"], root: Sealgate.self)
        #expect(message?.contains("Did you mean") == false)
        #expect(message?.contains("Commands: run, check-config, keys, encrypt, decrypt, reencrypt, certs, demo.") == true)
    }

    @Test("command lines that name commands, or start with an option, are left to ArgumentParser", arguments: [
        ["--config", "x.yaml"], ["run", "--config", "x.yaml"], ["certs", "check", "a.pem"], ["help", "keys"], ["keys", "list", "--json"], [],
    ])
    func validCommandsPass(arguments: [String]) {
        #expect(CommandSuggestion.message(for: arguments, root: Sealgate.self) == nil)
    }
}
