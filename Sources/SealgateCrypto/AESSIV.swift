import Crypto
import _CryptoExtras

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// AES-SIV deterministic authenticated encryption (RFC 5297), composed from swift-crypto's AES-CMAC and AES-CTR.
///
/// The key is split in halves: the first half keys AES-CMAC for S2V, the second half keys AES-CTR. A 64-byte key
/// (AES-SIV-CMAC-512, Tink's `AES256_SIV`) is what sealgate uses; 32- and 48-byte keys work too.
///
/// Tink's deterministic AEAD passes exactly one associated-data component, see ``seal(_:associatedData:)``;
/// ``seal(_:headers:)`` takes the general vector of header components (associated data, nonce) of RFC 5297.
/// The output is the synthetic IV (16 bytes) followed by the ciphertext.
public struct AESSIV: Sendable {
    /// The length of the synthetic IV that prefixes every ciphertext.
    public static let ivByteCount = 16

    /// AES-CMAC keyed with the first half of the key; copied for every computation, never mutated.
    private let cmac: AES.CMAC
    /// `CMAC(K1, 0^128)`, the start value of S2V.
    private let cmacOfZero: Block
    private let ctrKey: SymmetricKey

    /// Creates a cipher.
    /// - Parameters:
    ///   - key: 32, 48 or 64 bytes of key material.
    /// - Throws: ``SealgateCryptoError/Code/invalidKeySize`` for another length.
    public init(key: [UInt8]) throws {
        guard [32, 48, 64].contains(key.count) else {
            throw SealgateCryptoError(.invalidKeySize, "AES-SIV needs a 32, 48 or 64 byte key, not \(key.count) bytes")
        }
        let half = key.count / 2
        cmac = try AES.CMAC(key: SymmetricKey(data: key[..<half]))
        ctrKey = SymmetricKey(data: key[half...])
        var zero = cmac
        Block.zero.withUnsafeBytes { zero.update(bufferPointer: $0) }
        cmacOfZero = zero.finalize().withUnsafeBytes { Block($0) }
    }

    /// Encrypts deterministically with one associated-data component, as Tink's deterministic AEAD does.
    /// - Parameters:
    ///   - plaintext: The bytes to encrypt.
    ///   - associatedData: Authenticated but not encrypted; may be empty (it still counts as one component).
    /// - Returns: The synthetic IV (16 bytes) followed by the ciphertext.
    public func seal(_ plaintext: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        try seal(plaintext, headers: CollectionOfOne(associatedData), appendingTo: &output)
        return output
    }

    /// Encrypts deterministically with any number of header components (RFC 5297 §2.6).
    /// - Parameters:
    ///   - plaintext: The bytes to encrypt.
    ///   - headers: The associated-data components, a nonce (if any) last.
    /// - Returns: The synthetic IV (16 bytes) followed by the ciphertext.
    public func seal(_ plaintext: [UInt8], headers: [[UInt8]]) throws -> [UInt8] {
        var output: [UInt8] = []
        try seal(plaintext, headers: headers, appendingTo: &output)
        return output
    }

    /// Decrypts and verifies the output of ``seal(_:associatedData:)``.
    /// - Parameters:
    ///   - ciphertext: The synthetic IV followed by the ciphertext.
    ///   - associatedData: The associated data used to seal.
    /// - Returns: The plaintext.
    /// - Throws: ``SealgateCryptoError/Code/authenticationFailure`` if the ciphertext is not authentic.
    public func open(_ ciphertext: [UInt8], associatedData: [UInt8]) throws -> [UInt8] {
        try open(ciphertext[...], headers: CollectionOfOne(associatedData))
    }

    /// Decrypts and verifies the output of ``seal(_:headers:)``.
    /// - Parameters:
    ///   - ciphertext: The synthetic IV followed by the ciphertext.
    ///   - headers: The header components used to seal.
    /// - Returns: The plaintext.
    /// - Throws: ``SealgateCryptoError/Code/authenticationFailure`` if the ciphertext is not authentic.
    public func open(_ ciphertext: [UInt8], headers: [[UInt8]]) throws -> [UInt8] {
        try open(ciphertext[...], headers: headers)
    }

    /// Appends the synthetic IV and the ciphertext to `output`.
    func seal(_ plaintext: [UInt8], headers: some Collection<[UInt8]>, appendingTo output: inout [UInt8]) throws {
        let iv = s2v(headers: headers, plaintext: plaintext).withUnsafeBytes { Block($0) }
        output.reserveCapacity(output.count + Self.ivByteCount + plaintext.count)
        iv.withUnsafeBytes { output.append(contentsOf: $0) }
        output.append(contentsOf: try ctr(plaintext, iv: iv))
    }

    /// Verifies and decrypts the synthetic IV and ciphertext in `ciphertext`.
    func open(_ ciphertext: ArraySlice<UInt8>, headers: some Collection<[UInt8]>) throws -> [UInt8] {
        guard ciphertext.count >= Self.ivByteCount else {
            throw SealgateCryptoError(.authenticationFailure, "AES-SIV ciphertext is shorter than its IV")
        }
        let ivBytes = ciphertext.prefix(Self.ivByteCount)
        let iv = ivBytes.withUnsafeBytes { Block($0) }
        let plaintext = [UInt8](try ctr(ciphertext.dropFirst(Self.ivByteCount), iv: iv))
        // `MessageAuthenticationCode ==` compares in constant time.
        guard s2v(headers: headers, plaintext: plaintext) == ivBytes else {
            throw SealgateCryptoError(.authenticationFailure, "AES-SIV ciphertext is not authentic")
        }
        return plaintext
    }

    /// S2V (RFC 5297 §2.4) over the header components and the plaintext.
    private func s2v(headers: some Collection<[UInt8]>, plaintext: [UInt8]) -> AES.CMAC.MAC {
        var d = cmacOfZero
        for header in headers {
            d = d.doubled() ^ mac(header)
        }
        var final = cmac
        plaintext.withUnsafeBytes { bytes in
            if bytes.count >= Block.byteCount {
                let split = bytes.count - Block.byteCount
                final.update(bufferPointer: UnsafeRawBufferPointer(rebasing: bytes[..<split]))
                let last = Block(UnsafeRawBufferPointer(rebasing: bytes[split...])) ^ d
                last.withUnsafeBytes { final.update(bufferPointer: $0) }
            } else {
                var tail: (UInt64, UInt64) = (0, 0)
                Swift.withUnsafeMutableBytes(of: &tail) { block in
                    block.copyMemory(from: bytes)
                    block[bytes.count] = 0x80
                }
                let padded = Swift.withUnsafeBytes(of: tail) { Block($0) }
                (d.doubled() ^ padded).withUnsafeBytes { final.update(bufferPointer: $0) }
            }
        }
        return final.finalize()
    }

    private func mac(_ bytes: [UInt8]) -> Block {
        var mac = cmac
        bytes.withUnsafeBytes { mac.update(bufferPointer: $0) }
        return mac.finalize().withUnsafeBytes { Block($0) }
    }

    /// AES-CTR keyed with the second half of the key, starting at the IV with bits 31 and 63 cleared (§2.6).
    private func ctr(_ input: some DataProtocol, iv: Block) throws -> Data {
        let counter = Block(high: iv.high, low: iv.low & 0x7FFF_FFFF_7FFF_FFFF)
        let nonce = try counter.withUnsafeBytes { try AES._CTR.Nonce(nonceBytes: $0) }
        return try AES._CTR.encrypt(input, using: ctrKey, nonce: nonce)
    }
}

/// A 128-bit block in big-endian order, with the doubling in GF(2^128) that S2V uses.
private struct Block {
    static let byteCount = 16
    static let zero = Block(high: 0, low: 0)

    var high: UInt64
    var low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads the first 16 bytes of `bytes`.
    init(_ bytes: UnsafeRawBufferPointer) {
        high = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        low = UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// Multiplication by x: a left shift, reduced by the polynomial x^128 + x^7 + x^2 + x + 1 (RFC 5297 §2.3).
    func doubled() -> Block {
        Block(high: (high << 1) | (low >> 63), low: (low << 1) ^ ((high >> 63) * 0x87))
    }

    static func ^ (lhs: Block, rhs: Block) -> Block {
        Block(high: lhs.high ^ rhs.high, low: lhs.low ^ rhs.low)
    }

    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let bigEndian = (high.bigEndian, low.bigEndian)
        return try Swift.withUnsafeBytes(of: bigEndian, body)
    }
}
