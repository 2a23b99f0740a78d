import Foundation
import SealgateCrypto
import SealgateKeyProviders

/// Which key-encryption key wraps the vault's keysets: `keys.kek` of the configuration, or `--kek FILE`.
enum KEKSettings: Sendable, Hashable, CustomStringConvertible {
    /// A cleartext Tink keyset file beside the vault (absolute path).
    case local(path: String)
    /// A key in AWS KMS (or a KMS-compatible server at `endpoint`).
    case awsKMS(keyID: String, region: String?, endpoint: String?)
    /// An AES key in a PKCS#11 token; the user PIN comes from a file (absolute path) or an environment variable.
    case pkcs11(module: String, token: String, keyLabel: String, pin: PINSource)
    /// A key in the Transit engine of HashiCorp Vault or OpenBao.
    case vaultTransit(VaultTransitConfiguration)

    /// Where the PIN of a PKCS#11 token is read from.
    enum PINSource: Sendable, Hashable {
        case file(String)
        case environment(String)
    }

    /// The provider that wraps and unwraps with this KEK.
    /// - Throws: ``SealgateCryptoError`` when the local file is unusable or AWS credentials or region are missing.
    func provider() throws -> any KeyEncryptionKeyProvider {
        switch self {
        case .local(let path): try LocalKeyEncryptionKey(contentsOf: path)
        case .awsKMS(let keyID, let region, let endpoint): try AWSKMSKeyEncryptionKey(keyID: keyID, region: region, endpoint: endpoint)
        case .pkcs11(let module, let token, let keyLabel, let pin):
            try PKCS11KeyEncryptionKey(module: module, token: token, keyLabel: keyLabel, pin: try Self.read(pin))
        case .vaultTransit(let configuration): try VaultTransitKeyEncryptionKey(configuration)
        }
    }

    /// The PIN: the file's first line (the file readable by its owner only), or the variable's value.
    private static func read(_ source: PINSource) throws -> String {
        switch source {
        case .environment(let name):
            guard let pin = ProcessInfo.processInfo.environment[name], !pin.isEmpty else {
                throw SealgateCryptoError(.kekUnavailable, "pkcs11 KEK: the environment variable \(name) (keys.kek.pin_env) is not set")
            }
            return pin
        case .file(let path):
            let bytes: [UInt8]?
            do {
                bytes = try SecureFile.readFile(path, requirePrivate: true)
            } catch let error as SealgateCryptoError where error.code == .insecureFilePermissions {
                throw SealgateCryptoError(error.code, "pkcs11 KEK: the PIN file (keys.kek.pin_file): \(error.message)")
            } catch {
                bytes = nil
            }
            guard let bytes else {
                throw SealgateCryptoError(.kekUnavailable, "pkcs11 KEK: cannot read the PIN file \(path) (keys.kek.pin_file)")
            }
            return String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        }
    }

    /// The provider's name as `keys.kek.provider` spells it.
    var providerName: String {
        switch self {
        case .local: "local"
        case .awsKMS: "aws-kms"
        case .pkcs11: "pkcs11"
        case .vaultTransit: "vault-transit"
        }
    }

    /// How audit events and messages name the KEK: the local file's path, `aws-kms:<key>`, `pkcs11:<token>/<key label>`
    /// or `vault-transit:<address>/<mount>/<key>`.
    var description: String {
        switch self {
        case .local(let path): path
        case .awsKMS(let keyID, _, _): "aws-kms:\(keyID)"
        case .pkcs11(_, let token, let keyLabel, _): "pkcs11:\(token)/\(keyLabel)"
        case .vaultTransit(let configuration): "vault-transit:\(configuration.address)/\(configuration.mount)/\(configuration.key)"
        }
    }
}
