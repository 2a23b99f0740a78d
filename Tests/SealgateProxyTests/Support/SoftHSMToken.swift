import Foundation
import SealgateTestSupport

/// A SoftHSM2 token of its own in a test directory, for sealgate processes: they find it through
/// the `SOFTHSM2_CONF` of ``environment``.
struct SoftHSMToken {
    static let module = "/usr/lib/softhsm/libsofthsm2.so"
    static let label = "sealgate"
    static let pin = "1234"

    /// Whether the tests run: when SoftHSM2 is installed, and always under `CI=true`, where its absence fails them.
    static let available = TestEnvironment.isCI || FileManager.default.fileExists(atPath: module)

    let configurationPath: String
    /// The file holding the user PIN, mode 0600.
    let pinPath: String

    /// `SOFTHSM2_CONF=…`, for `env`.
    var environment: String { "SOFTHSM2_CONF=\(self.configurationPath)" }

    /// Makes the token in `directory/softhsm` and writes the user PIN to `directory/pin` (mode 0600).
    init(in directory: URL) async throws {
        self.pinPath = directory.appendingPathComponent("pin").path
        let tokens = directory.appendingPathComponent("softhsm/tokens")
        try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
        self.configurationPath = directory.appendingPathComponent("softhsm/softhsm2.conf").path
        try "directories.tokendir = \(tokens.path)\nobjectstore.backend = file\nlog.level = ERROR\n"
            .write(toFile: self.configurationPath, atomically: true, encoding: .utf8)
        let initialized = try await runProcess(
            "/usr/bin/env",
            [self.environment, "softhsm2-util", "--init-token", "--free", "--label", Self.label, "--pin", Self.pin, "--so-pin", "5678"]
        )
        guard initialized.status == 0 else { throw TestFailure("softhsm2-util --init-token failed: \(initialized.stderr)") }
        _ = FileManager.default.createFile(atPath: self.pinPath, contents: Data("\(Self.pin)\n".utf8), attributes: [.posixPermissions: 0o600])
    }

    /// The `keys` section naming `keyLabel` in this token.
    func keysSection(keyLabel: String) -> String {
        "keys: {vault: keys, kek: {provider: pkcs11, module: \(Self.module), token: \(Self.label), key_label: \(keyLabel), pin_file: \(self.pinPath)}}"
    }
}
