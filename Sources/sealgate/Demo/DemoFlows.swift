import Foundation

/// The demo's requests as command lines: printed as the guided tour and run by `sealgate demo --check`,
/// so what is checked is exactly what a user pastes.
struct DemoFlows {
    let setup: DemoSetup
    /// How the user started sealgate, to print `sealgate check-config` the same way.
    let sealgate: String

    /// The sample record; its three rule values must never be stored in plaintext.
    static let record =
        #"{"name": "Ada Lovelace", "ssn": "078-05-1120", "contacts": [{"type": "home", "phone": "+44 20 7946 0000"}], "card": {"number": 4111111111111111, "expiry": "12/30"}}"#
    /// The rule values of ``record`` as they appear in its JSON.
    static let secrets = [#""078-05-1120""#, #""+44 20 7946 0000""#, "4111111111111111"]

    var base: String { "https://localhost:\(self.setup.port)/v1/patients" }

    /// `curl` with the CA and, unless `identity` is nil, the client certificate of `identity`.
    func curl(as identity: String?, _ arguments: [String]) -> [String] {
        var command = ["curl", "--cacert", self.setup.path("ca.pem")]
        if let identity {
            command += ["--cert", self.setup.path("\(identity).pem"), "--key", self.setup.path("\(identity)-key.pem")]
        }
        return command + arguments
    }

    var create: [String] {
        self.curl(as: "writer", ["-H", "content-type: application/json", "--data", Self.record, self.base])
    }

    func read(id: Int, as identity: String?) -> [String] { self.curl(as: identity, ["\(self.base)/\(id)"]) }

    var showStored: [String] { ["cat", self.setup.recordsPath] }
    var metrics: [String] { ["curl", "http://127.0.0.1:\(self.setup.adminPort)/metrics"] }
    var certificates: [String] { ["curl", "http://127.0.0.1:\(self.setup.adminPort)/certs"] }
    var checkCertificates: [String] { [self.sealgate, "certs", "check", self.setup.path("server.pem"), self.setup.path("ca.pem")] }
    var checkConfig: [String] { [self.sealgate, "check-config", self.setup.configurationPath] }

    /// The guided tour for a record that will get `id`.
    func guide(id: Int) -> String {
        let steps: [(String, [String])] = [
            ("Create a record as the writer (the response shows what the backend stored):", self.create),
            ("Read it back as the reader, whose responses are decrypted:", self.read(id: id, as: "reader")),
            ("Read it as the writer, who gets the tokens:", self.read(id: id, as: "writer")),
            ("Look at what the backend stored: ciphertext at rest:", self.showStored),
            ("A client without a certificate is refused:", self.read(id: id, as: nil)),
            ("Metrics:", self.metrics),
            ("Every certificate sealgate watches, with its expiry state:", self.certificates),
            ("The same for any PEM file, with Nagios exit codes (0 ok, 1 warning, 2 critical, 3 unreadable):", self.checkCertificates),
            ("Check the configuration:", self.checkConfig),
        ]
        return steps.map { "# \($0.0)\n\(Self.shell($0.1))" }.joined(separator: "\n\n")
    }

    /// A command line for a POSIX shell.
    static func shell(_ command: [String]) -> String {
        command.map { argument in
            argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./:=@+".contains($0) }
                ? argument : "'" + argument.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
        }.joined(separator: " ")
    }
}
