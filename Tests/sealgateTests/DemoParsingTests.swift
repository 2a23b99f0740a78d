import ArgumentParser
import Foundation
import Testing

@testable import sealgate

@Suite("sealgate demo and certs: parsing and printed commands")
struct DemoParsingTests {
    @Test("demo and certs dev take their defaults and overrides")
    func parsing() throws {
        let demo = try #require(try Sealgate.parseAsRoot(["demo"]) as? DemoCommand)
        #expect(demo.dir == ".sealgate-demo" && demo.port == 8443 && demo.adminPort == 9901 && demo.backendPort == 8080)
        #expect(!demo.check)
        let custom = try #require(
            try Sealgate.parseAsRoot([
                "demo", "--check", "--dir", "d", "--port", "1", "--admin-port", "2", "--backend-port", "3",
            ])
                as? DemoCommand
        )
        #expect(
            custom.check && custom.dir == "d" && custom.port == 1 && custom.adminPort == 2 && custom.backendPort == 3)
        let certs = try #require(try Sealgate.parseAsRoot(["certs", "dev"]) as? CertsDevCommand)
        #expect(certs.out == "certs" && !certs.force)
        let forced = try #require(
            try Sealgate.parseAsRoot(["certs", "dev", "--out", "x", "--force"]) as? CertsDevCommand)
        #expect(forced.out == "x" && forced.force)
    }

    @Test("the printed commands give a shell back exactly the arguments that --check runs")
    func shellQuoting() async throws {
        let setup = DemoSetup(directory: ".sealgate demo's", port: 8443, adminPort: 9901, backendPort: 8080)
        let flows = DemoFlows(setup: setup, sealgate: "sealgate")
        for command in [flows.create, flows.read(id: 1, as: "reader"), flows.read(id: 1, as: nil), flows.checkConfig] {
            let process = Process()
            let output = Pipe()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "printf '%s\\n' " + DemoFlows.shell(command)]
            process.standardOutput = output
            try process.run()
            let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(printed == command.joined(separator: "\n") + "\n")
        }
    }
}
