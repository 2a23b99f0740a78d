import Foundation
import SealgateCrypto
import Testing

@testable import sealgate

@Suite("The PIN of a pkcs11 KEK")
struct KEKSettingsTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sealgate-pin-\(UUID().uuidString)")

    func settings(_ pin: KEKSettings.PINSource) -> KEKSettings {
        .pkcs11(module: "/nonexistent/libpkcs11.so", token: "t", keyLabel: "k", pin: pin)
    }

    func error(_ settings: KEKSettings) -> SealgateCryptoError? {
        do {
            _ = try settings.provider()
            return nil
        } catch {
            return error as? SealgateCryptoError
        }
    }

    @Test("a PIN file that group or others can read is refused before the module is loaded")
    func insecurePINFile() throws {
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: self.directory) }
        let path = self.directory.appendingPathComponent("pin").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("1234\n".utf8), attributes: [.posixPermissions: 0o644]))
        let refusal = self.error(self.settings(.file(path)))
        #expect(refusal?.code == .insecureFilePermissions)
        #expect(refusal?.message.contains("keys.kek.pin_file") == true && refusal?.message.contains("chmod 600 \(path)") == true)
    }

    @Test("a missing PIN file or an unset variable makes the KEK unavailable, naming the setting")
    func missingPIN() {
        let missing = self.error(self.settings(.file("/nonexistent/pin")))
        #expect(missing?.code == .kekUnavailable)
        #expect(missing?.message.contains("cannot read the PIN file /nonexistent/pin (keys.kek.pin_file)") == true)
        let unset = self.error(self.settings(.environment("SEALGATE_TEST_PIN_THAT_IS_NOT_SET")))
        #expect(unset?.code == .kekUnavailable)
        #expect(unset?.message.contains("SEALGATE_TEST_PIN_THAT_IS_NOT_SET") == true)
    }
}
