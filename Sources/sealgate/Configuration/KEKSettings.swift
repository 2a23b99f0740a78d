import SealgateCrypto
import SealgateKeyProviders

/// Which key-encryption key wraps the vault's keysets: `keys.kek` of the configuration, or `--kek FILE`.
enum KEKSettings: Sendable, Hashable, CustomStringConvertible {
    /// A cleartext Tink keyset file beside the vault (absolute path).
    case local(path: String)
    /// A key in AWS KMS (or a KMS-compatible server at `endpoint`).
    case awsKMS(keyID: String, region: String?, endpoint: String?)

    /// The provider that wraps and unwraps with this KEK.
    /// - Throws: ``SealgateCryptoError`` when the local file is unusable or AWS credentials or region are missing.
    func provider() throws -> any KeyEncryptionKeyProvider {
        switch self {
        case .local(let path): try LocalKeyEncryptionKey(contentsOf: path)
        case .awsKMS(let keyID, let region, let endpoint): try AWSKMSKeyEncryptionKey(keyID: keyID, region: region, endpoint: endpoint)
        }
    }

    /// The provider's name as `keys.kek.provider` spells it.
    var providerName: String {
        switch self {
        case .local: "local"
        case .awsKMS: "aws-kms"
        }
    }

    /// How audit events and messages name the KEK: the local file's path, or `aws-kms:<key>`.
    var description: String {
        switch self {
        case .local(let path): path
        case .awsKMS(let keyID, _, _): "aws-kms:\(keyID)"
        }
    }
}
