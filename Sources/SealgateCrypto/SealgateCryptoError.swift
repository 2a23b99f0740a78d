/// An error thrown by SealgateCrypto.
///
/// Switch on ``code``; ``message`` is for people and may change. Messages name keys, key ids, files and rule
/// paths, never a plaintext or key material. Equality and hashing consider only the ``code``.
public struct SealgateCryptoError: Error, Sendable {
    /// What went wrong, as a value that can gain cases without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case malformedToken
            case wrongKeyName
            case unknownKeyID
            case authenticationFailure
            case invalidKeyset
            case invalidKeyName
            case invalidKeySize
            case keyNotFound
            case keyAlreadyExists
            case insecureFilePermissions
            case fileSystem
            case kekUnavailable
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// A token is not `sg1:<key>:<base64url without padding>`, or its ciphertext is too short.
        public static let malformedToken = Code(.malformedToken)
        /// A token names another key than the cipher it was given to.
        public static let wrongKeyName = Code(.wrongKeyName)
        /// A ciphertext names a key id that no enabled key of the keyset has.
        public static let unknownKeyID = Code(.unknownKeyID)
        /// A ciphertext is not authentic: tampered, truncated, bound to other associated data or another key.
        public static let authenticationFailure = Code(.authenticationFailure)
        /// A keyset (JSON, protobuf or its content) is malformed or unsupported.
        public static let invalidKeyset = Code(.invalidKeyset)
        /// A key name does not match `[a-z0-9][a-z0-9._-]{0,62}`.
        public static let invalidKeyName = Code(.invalidKeyName)
        /// Key material has the wrong length.
        public static let invalidKeySize = Code(.invalidKeySize)
        /// The vault has no keyset of that name.
        public static let keyNotFound = Code(.keyNotFound)
        /// The vault (or a KEK path) already holds a file of that name.
        public static let keyAlreadyExists = Code(.keyAlreadyExists)
        /// A secret file is readable or writable by group or others.
        public static let insecureFilePermissions = Code(.insecureFilePermissions)
        /// A file system operation failed.
        public static let fileSystem = Code(.fileSystem)
        /// The key-encryption key cannot be used: its provider (a KMS, an HSM) is unreachable, refuses, or is
        /// not configured (no credentials, unknown key).
        public static let kekUnavailable = Code(.kekUnavailable)

        /// The code's name, such as `authenticationFailure`.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// A human-readable explanation without secret values.
    public let message: String
    /// The source file that threw the error.
    public let file: String
    /// The source line that threw the error.
    public let line: Int

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: A human-readable explanation; never include plaintext or key material.
    ///   - file: The throwing source file.
    ///   - line: The throwing source line.
    public init(_ code: Code, _ message: String, file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }
}

extension SealgateCryptoError: Hashable {
    /// Two errors are equal when their codes are.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code
    }

    /// Hashes the code only.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
    }
}

extension SealgateCryptoError: CustomStringConvertible {
    /// `<code>: <message>`.
    public var description: String {
        "\(code): \(message)"
    }
}
