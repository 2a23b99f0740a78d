import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// `sealgate demo`: a complete local setup to try sealgate: a development PKI, keys, the proxy with a
/// patients route, and a backend that stores what it receives in a file.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a complete local demo (dev PKI, keys, proxy and a record-storing backend).",
        discussion: """
            Creates (or reuses) a development PKI, a key vault and sealgate.yaml under --dir, starts a demo \
            backend that stores records as JSON lines in records.jsonl, starts the proxy and the admin listener, \
            and prints commands to try. Ctrl-C stops everything. With --check it runs those commands itself, \
            prints each check and exits 0 only if all pass.
            """
    )

    @Option(help: "The directory for the demo's files.")
    var dir = ".sealgate-demo"

    @Option(help: "The proxy's (mutual TLS) port.")
    var port = 8443

    @Option(help: "The admin listener's port.")
    var adminPort = 9901

    @Option(help: "The demo backend's port.")
    var backendPort = 8080

    @Flag(help: "Run the demo's requests, check the results and stop.")
    var check = false

    /// How this sealgate was started, relative to the working directory when it lies below it.
    static var invocation: String {
        let path = CommandLine.arguments[0]
        let directory = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(directory) ? String(path.dropFirst(directory.count)) : path
    }

    func run() async throws {
        let setup = DemoSetup(
            directory: self.dir, port: self.port, adminPort: self.adminPort, backendPort: self.backendPort)
        let flows = DemoFlows(setup: setup, sealgate: Self.invocation)
        do {
            try await setup.prepare()
        } catch {
            printToStandardError("sealgate demo: the demo's files cannot be created in \(self.dir): \(error)")
            throw ExitCode(1)
        }
        let store = RecordStore(path: setup.recordsPath)
        if !self.check {
            // Written at once (not buffered), so the tour shows before the demo runs even when piped.
            FileDescriptorWriter.write(
                "sealgate demo: the proxy listens on https://localhost:\(self.port) (Ctrl-C stops it). Try:\n\n"
                    + flows.guide(id: try await store.all().count + 1) + "\n\n",
                to: 1
            )
        }
        do {
            try await RunCommand.run(configurationPath: setup.configurationPath) { logger in
                var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
                    .init(service: DemoBackend(port: self.backendPort, store: store, logger: logger))
                ]
                if self.check {
                    services.append(
                        .init(service: DemoCheck(flows: flows), successTerminationBehavior: .gracefullyShutdownGroup))
                }
                return services
            }
        } catch let failure as DemoCheck.DemoCheckFailed {
            printToStandardError(failure.description)
            throw ExitCode(1)
        }
    }
}
