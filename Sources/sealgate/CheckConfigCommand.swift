import ArgumentParser
import SealgateProxy

/// `sealgate check-config FILE`: validates a configuration completely and lists every problem.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a configuration file and list every problem (file:line:column: message).",
        discussion: "Exit status: 0 when the configuration is valid, 2 when it has problems."
    )

    @Argument(help: "The configuration file (YAML).")
    var file: String

    func run() throws {
        do {
            let configuration = try ConfigFile.load(path: self.file, checkingKeyStore: true)
            for warning in configuration.warnings { printToStandardError("warning: \(warning)") }
            print("\(self.file): OK (\(configuration.proxy.routes.count) routes, listening on \(configuration.proxy.listener.address))")
        } catch {
            printToStandardError(error.description)
            throw ExitCode(2)
        }
    }
}

func printToStandardError(_ text: String) {
    var output = StandardError()
    print(text, to: &output)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileDescriptorWriter.write(string, to: 2)
    }
}
