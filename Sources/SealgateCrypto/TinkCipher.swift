import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Tink's AEAD and deterministic AEAD over a whole keyset, with the `TINK` output prefix:
/// `0x01 ‖ key id (4 bytes, big-endian) ‖ primitive output`. The primary key encrypts; decryption picks the
/// enabled keys whose id the prefix names. Keys are prepared once, so each call does no key setup.
struct TinkCipher: Sendable {
    /// The length of the `TINK` output prefix.
    static let prefixByteCount = 5
    private static let prefixVersion: UInt8 = 0x01

    private static let gcmNonceByteCount = 12

    private enum Primitive: Sendable {
        case gcm(SymmetricKey)
        case siv(AESSIV)

        func encrypt(_ plaintext: [UInt8], associatedData: [UInt8], appendingTo output: inout [UInt8]) throws {
            switch self {
            case .gcm(let key):
                // A random 96-bit nonce, as Tink's AES-GCM uses, from the pooled CSPRNG: no system call per field.
                // IV ‖ ciphertext ‖ tag; the IV is drawn straight into the output.
                let nonceStart = output.count
                output.append(contentsOf: repeatElement(0, count: TinkCipher.gcmNonceByteCount))
                output[nonceStart...].withUnsafeMutableBytes(RandomBytes.fill)
                let nonce = try AES.GCM.Nonce(data: output[nonceStart...])
                let box = try AES.GCM.seal(plaintext, using: key, nonce: nonce, authenticating: associatedData)
                box.ciphertext.withUnsafeBytes { output.append(contentsOf: $0) }
                box.tag.withUnsafeBytes { output.append(contentsOf: $0) }
            case .siv(let siv):
                try siv.seal(plaintext, headers: CollectionOfOne(associatedData), appendingTo: &output)
            }
        }

        func decrypt(_ ciphertext: ArraySlice<UInt8>, associatedData: [UInt8]) throws -> [UInt8] {
            switch self {
            case .gcm(let key):
                let box = try AES.GCM.SealedBox(combined: ciphertext)
                return [UInt8](try AES.GCM.open(box, using: key, authenticating: associatedData))
            case .siv(let siv):
                return try siv.open(ciphertext, headers: CollectionOfOne(associatedData))
            }
        }
    }

    private let primaryPrefix: [UInt8]
    private let primary: Primitive
    /// The enabled keys by id; Tink allows several keys with one id.
    private let enabled: [UInt32: [Primitive]]

    init(keyset: Keyset) throws {
        var enabled: [UInt32: [Primitive]] = [:]
        for key in keyset.keys where key.status == .enabled {
            let primitive: Primitive =
                switch keyset.type {
                case .aes256GCM: .gcm(SymmetricKey(data: key.material))
                case .aes256SIV: .siv(try AESSIV(key: key.material))
                }
            enabled[key.id, default: []].append(primitive)
        }
        // `Keyset` guarantees exactly one enabled key with the primary id.
        guard let primary = enabled[keyset.primaryKeyID]?.first else {
            throw SealgateCryptoError(.invalidKeyset, "the keyset has no enabled primary key")
        }
        self.primary = primary
        self.enabled = enabled
        primaryPrefix = Self.prefix(keyset.primaryKeyID)
    }

    /// Encrypts with the primary key.
    func encrypt(_ plaintext: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        var output = primaryPrefix
        output.reserveCapacity(Self.prefixByteCount + 28 + plaintext.count)
        try primary.encrypt(plaintext, associatedData: associatedData, appendingTo: &output)
        return output
    }

    /// Decrypts with the enabled key(s) that the prefix names.
    /// - Throws: ``SealgateCryptoError/Code/unknownKeyID`` if no enabled key has that id,
    ///   ``SealgateCryptoError/Code/authenticationFailure`` if no such key authenticates the ciphertext.
    func decrypt(_ ciphertext: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        guard ciphertext.count > Self.prefixByteCount, ciphertext[0] == Self.prefixVersion else {
            throw SealgateCryptoError(.authenticationFailure, "the ciphertext does not start with a Tink prefix")
        }
        let id = Self.keyID(ciphertext)
        guard let candidates = enabled[id] else {
            throw SealgateCryptoError(.unknownKeyID, "no enabled key has id \(id)")
        }
        for primitive in candidates {
            if let plaintext = try? primitive.decrypt(ciphertext.dropFirst(Self.prefixByteCount), associatedData: associatedData) {
                return plaintext
            }
        }
        throw SealgateCryptoError(.authenticationFailure, "the ciphertext is not authentic under key \(id)")
    }

    /// The key id in a ciphertext's prefix; the caller checks that `ciphertext` has at least 5 bytes.
    static func keyID(_ ciphertext: [UInt8]) -> UInt32 {
        ciphertext[1...4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func prefix(_ keyID: UInt32) -> [UInt8] {
        [prefixVersion] + withUnsafeBytes(of: keyID.bigEndian, Array.init)
    }
}
