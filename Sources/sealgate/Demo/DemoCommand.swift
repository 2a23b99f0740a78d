import ArgumentParser

/// `sealgate demo`: a complete local setup to try sealgate (in progress).
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start a complete local demo (dev PKI, keys, proxy and a record-storing backend)."
    )

    func run() throws {
        printToStandardError(
            """
            sealgate demo is not available yet: it needs the development PKI (`sealgate certs dev`),
            the key vault (`sealgate keys`) and encrypting routes, which are still being built.
            What works today: `sealgate run --config FILE` (TLS 1.3 mutual-TLS proxy with
            authorization, XFCC identity header, limits and an admin listener) and
            `sealgate check-config FILE`. See README.md.
            """
        )
        throw ExitCode(1)
    }
}
