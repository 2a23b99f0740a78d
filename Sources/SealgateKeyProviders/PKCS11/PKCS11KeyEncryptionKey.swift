import Foundation
import NIOConcurrencyHelpers
import SealgateCrypto

/// A KEK that never leaves a PKCS#11 token (an HSM, or SoftHSM2): an AES-256 secret key, found by its
/// label, wraps and unwraps keysets with AES-GCM inside the token. The wrapped form is the 12-byte
/// IV followed by the ciphertext and the 16-byte tag.
public struct PKCS11KeyEncryptionKey: KeyEncryptionKeyProvider {
    /// The PKCS#11 module (shared library) path.
    public let module: String
    /// The label of the token holding the key.
    public let token: String
    /// The label of the AES key.
    public let keyLabel: String
    private let pin: String
    private let library: PKCS11Module
    private let slot: UInt

    private static let ivLength = 12
    private static let tagLength = 16

    /// Loads the module and finds the token; the key itself is looked up at each use.
    /// - Throws: ``SealgateCryptoError/Code/kekUnavailable`` when the module cannot be loaded or has no such token.
    public init(module: String, token: String, keyLabel: String, pin: String) throws {
        self.module = module
        self.token = token
        self.keyLabel = keyLabel
        self.pin = pin
        do {
            self.library = try PKCS11Module.load(module)
            let tokens = try self.library.tokens()
            guard let slot = tokens.first(where: { $0.label == token })?.slot else {
                let present = tokens.map { "\"\($0.label)\"" }.joined(separator: ", ")
                throw PKCS11Error("no token labelled \"\(token)\" in \(module) (tokens present: \(present.isEmpty ? "none" : present))")
            }
            self.slot = slot
        } catch let error as PKCS11Error {
            throw SealgateCryptoError(.kekUnavailable, "pkcs11 KEK: \(error)")
        }
    }

    /// Makes the AES-256 key in the token (sensitive, not extractable) unless one has the label.
    /// - Returns: whether a key was made.
    public func createKeyIfMissing() throws -> Bool {
        try self.withSession { session in
            if try self.findKey(session) != nil { return false }
            var mechanism = PKCS11Module.Mechanism(mechanism: PKCS11Module.Constant.aesKeyGeneration, parameter: nil, parameterLength: 0)
            var handle: UInt = 0
            let result = try Self.withAttributes(self.keyTemplate(generating: true)) { attributes, count in
                withUnsafeMutableBytes(of: &mechanism) { self.library.generateKey(session, $0.baseAddress!, attributes, count, &handle) }
            }
            try PKCS11Module.check(result, "C_GenerateKey")
            return true
        }
    }

    public func encrypt(_ plaintext: [UInt8], associatedData: [UInt8]) async throws -> [UInt8] {
        let iv = RandomBytes.bytes(Self.ivLength)
        let sealed = try self.withKey { session, key in
            try self.crypt(session: session, key: key, iv: iv, associatedData: associatedData, input: plaintext, encrypting: true)
        }
        return iv + sealed
    }

    public func decrypt(_ ciphertext: [UInt8], associatedData: [UInt8]) async throws -> [UInt8] {
        guard ciphertext.count >= Self.ivLength + Self.tagLength else {
            throw SealgateCryptoError(.authenticationFailure, "\(self): the wrapped keyset is too short")
        }
        let iv = Array(ciphertext.prefix(Self.ivLength))
        return try self.withKey { session, key in
            try self.crypt(session: session, key: key, iv: iv, associatedData: associatedData, input: Array(ciphertext.dropFirst(Self.ivLength)), encrypting: false)
        }
    }

    /// `pkcs11 KEK <key> in token <token>`.
    public var description: String { "pkcs11 KEK \"\(self.keyLabel)\" in token \"\(self.token)\"" }

    // MARK: Sessions and keys

    private func withSession<T>(_ body: (UInt) throws -> T) throws -> T {
        try self.library.lock.withLock { try self.withUnlockedSession(body) }
    }

    private func withUnlockedSession<T>(_ body: (UInt) throws -> T) throws -> T {
        var session: UInt = 0
        do {
            try PKCS11Module.check(
                self.library.openSession(self.slot, PKCS11Module.Constant.serialSession | PKCS11Module.Constant.readWriteSession, nil, nil, &session),
                "C_OpenSession"
            )
            defer { _ = self.library.closeSession(session) }
            var pin = Array(self.pin.utf8)
            let login = pin.withUnsafeMutableBufferPointer { self.library.login(session, PKCS11Module.Constant.user, $0.baseAddress, UInt($0.count)) }
            if login != PKCS11Module.Constant.userAlreadyLoggedIn {
                try PKCS11Module.check(login, "login to token \"\(self.token)\"")
            }
            return try body(session)
        } catch let error as PKCS11Error {
            throw SealgateCryptoError(.kekUnavailable, "\(self): \(error)")
        }
    }

    private func withKey<T>(_ body: (UInt, UInt) throws -> T) throws -> T {
        try self.withSession { session in
            guard let key = try self.findKey(session) else {
                throw PKCS11Error("no AES key labelled \"\(self.keyLabel)\" in token \"\(self.token)\"; `sealgate keys init` makes one")
            }
            return try body(session, key)
        }
    }

    private func findKey(_ session: UInt) throws -> UInt? {
        let result = try Self.withAttributes(self.keyTemplate(generating: false)) { attributes, count in
            self.library.findObjectsInit(session, attributes, count)
        }
        try PKCS11Module.check(result, "C_FindObjectsInit")
        defer { _ = self.library.findObjectsFinal(session) }
        var handle: UInt = 0
        var found: UInt = 0
        try PKCS11Module.check(self.library.findObjects(session, &handle, 1, &found), "C_FindObjects")
        return found == 0 ? nil : handle
    }

    /// The attributes that find the key, or that make it: an AES-256 token key that never leaves the token.
    private func keyTemplate(generating: Bool) -> [(UInt, [UInt8])] {
        let constant = PKCS11Module.Constant.self
        var template: [(UInt, [UInt8])] = [
            (constant.classAttribute, Self.ulong(constant.secretKey)),
            (constant.keyType, Self.ulong(constant.aesKeyType)),
            (constant.label, Array(self.keyLabel.utf8)),
        ]
        if generating {
            template += [
                (constant.token, [1]), (constant.privateAttribute, [1]), (constant.sensitive, [1]), (constant.extractable, [0]),
                (constant.encrypt, [1]), (constant.decrypt, [1]), (constant.valueLength, Self.ulong(32)),
            ]
        }
        return template
    }

    private func crypt(session: UInt, key: UInt, iv: [UInt8], associatedData: [UInt8], input: [UInt8], encrypting: Bool) throws -> [UInt8] {
        var iv = iv
        var associatedData = associatedData
        var input = input
        return try iv.withUnsafeMutableBytes { ivBytes in
            try associatedData.withUnsafeMutableBytes { aadBytes in
                var parameters = PKCS11Module.GCMParameters(
                    iv: ivBytes.baseAddress, ivLength: UInt(ivBytes.count), ivBits: UInt(ivBytes.count * 8),
                    aad: aadBytes.count == 0 ? nil : aadBytes.baseAddress, aadLength: UInt(aadBytes.count), tagBits: UInt(Self.tagLength * 8)
                )
                return try withUnsafeMutableBytes(of: &parameters) { parameterBytes in
                    var mechanism = PKCS11Module.Mechanism(
                        mechanism: PKCS11Module.Constant.aesGCM, parameter: parameterBytes.baseAddress, parameterLength: UInt(parameterBytes.count)
                    )
                    let initialize = encrypting ? self.library.encryptInit : self.library.decryptInit
                    let started = withUnsafeMutableBytes(of: &mechanism) { initialize(session, $0.baseAddress!, key) }
                    try PKCS11Module.check(started, encrypting ? "C_EncryptInit" : "C_DecryptInit")
                    var output = [UInt8](repeating: 0, count: input.count + Self.tagLength + 64)
                    var length = UInt(output.count)
                    let run = encrypting ? self.library.encrypt : self.library.decrypt
                    let result = input.withUnsafeMutableBufferPointer { inputBuffer in
                        output.withUnsafeMutableBufferPointer { run(session, inputBuffer.baseAddress, UInt(inputBuffer.count), $0.baseAddress, &length) }
                    }
                    // A tag that does not verify: the keyset was wrapped by another key, or altered. Tokens
                    // report it differently (SoftHSM2: CKR_GENERAL_ERROR; others CKR_ENCRYPTED_DATA_INVALID).
                    if !encrypting, [0x5, 0x6, 0x40, 0x41].contains(result) {
                        throw SealgateCryptoError(
                            .authenticationFailure,
                            "\(self): the keyset was not wrapped by this key, or was altered (\(PKCS11Error("C_Decrypt", code: result)))"
                        )
                    }
                    try PKCS11Module.check(result, encrypting ? "C_Encrypt" : "C_Decrypt")
                    return Array(output.prefix(Int(length)))
                }
            }
        }
    }

    /// Runs `body` with a C array of `CK_ATTRIBUTE`s whose values point into `template`'s bytes.
    private static func withAttributes(_ template: [(UInt, [UInt8])], _ body: (UnsafeMutableRawPointer, UInt) -> UInt) throws -> UInt {
        let storage = template.map { _, value in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(value.count, 1), alignment: 8)
            buffer.copyBytes(from: value)
            return buffer
        }
        defer { storage.forEach { $0.deallocate() } }
        var attributes = zip(template, storage).map { entry, buffer in
            PKCS11Module.Attribute(type: entry.0, value: buffer.baseAddress, valueLength: UInt(entry.1.count))
        }
        return attributes.withUnsafeMutableBufferPointer { body(UnsafeMutableRawPointer($0.baseAddress!), UInt($0.count)) }
    }

    /// A `CK_ULONG` value's bytes, as an attribute value.
    private static func ulong(_ value: UInt) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }
}
