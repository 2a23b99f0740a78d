/// An error raised while loading or interpreting certificates and keys.
///
/// Equality considers only ``code``: the message is for people.
public struct SealgateCertificatesError: Error, Hashable, CustomStringConvertible {
    /// What went wrong, as a value that can grow new cases without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case unreadableFile
            case invalidCertificate
            case invalidPrivateKey
            case keyDoesNotMatchCertificate
            case emptyBundle
            case invalidPattern
            case fileExists
            case unwritableFile
            case invalidRevocationList
            case certificateRevoked
            case revocationListStale
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A file could not be read.
        public static let unreadableFile = Code(.unreadableFile)
        /// A certificate could not be parsed.
        public static let invalidCertificate = Code(.invalidCertificate)
        /// A private key could not be parsed.
        public static let invalidPrivateKey = Code(.invalidPrivateKey)
        /// The private key does not belong to the leaf certificate.
        public static let keyDoesNotMatchCertificate = Code(.keyDoesNotMatchCertificate)
        /// A PEM file holds no certificate.
        public static let emptyBundle = Code(.emptyBundle)
        /// An authorization pattern is malformed.
        public static let invalidPattern = Code(.invalidPattern)
        /// A file to be written exists and may not be replaced.
        public static let fileExists = Code(.fileExists)
        /// A file could not be written.
        public static let unwritableFile = Code(.unwritableFile)
        /// A certificate revocation list is unparsable, unsigned by a configured CA, or uses what sealgate does not support.
        public static let invalidRevocationList = Code(.invalidRevocationList)
        /// A certificate is revoked by a configured revocation list (or its issuer has none, where lists are configured).
        public static let certificateRevoked = Code(.certificateRevoked)
        /// A revocation list is past its nextUpdate and `crl_stale: refuse` is set.
        public static let revocationListStale = Code(.revocationListStale)

        public var description: String { String(describing: self.base) }
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable explanation, never containing key material.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { self.message }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(self.code) }
}
