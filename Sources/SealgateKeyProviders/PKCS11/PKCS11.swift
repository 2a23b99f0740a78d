#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NIOConcurrencyHelpers

/// The few PKCS#11 (Cryptoki 2.40) calls sealgate needs, bound at run time with dlopen/dlsym from a
/// module such as SoftHSM2's `libsofthsm2.so` or an HSM vendor's library. Every Cryptoki
/// `CK_ULONG` is a C `unsigned long`, which is `UInt` on the 64-bit platforms Swift runs on.
final class PKCS11Module: Sendable {
    typealias ReturnValue = UInt

    /// Cryptoki constants (names as in pkcs11t.h).
    enum Constant {
        static let ok: UInt = 0
        static let cryptokiAlreadyInitialized: UInt = 0x191
        static let userAlreadyLoggedIn: UInt = 0x100
        static let serialSession: UInt = 0x4
        static let readWriteSession: UInt = 0x2
        static let osLockingOK: UInt = 0x2
        static let user: UInt = 1
        static let classAttribute: UInt = 0x0
        static let token: UInt = 0x1
        static let privateAttribute: UInt = 0x2
        static let label: UInt = 0x3
        static let keyType: UInt = 0x100
        static let sensitive: UInt = 0x103
        static let encrypt: UInt = 0x104
        static let decrypt: UInt = 0x105
        static let valueLength: UInt = 0x161
        static let extractable: UInt = 0x162
        static let secretKey: UInt = 0x4
        static let aesKeyType: UInt = 0x1F
        static let aesKeyGeneration: UInt = 0x1080
        static let aesGCM: UInt = 0x1087
    }

    /// `CK_MECHANISM`: words only, so laid out as in C; passed to C as raw bytes.
    struct Mechanism {
        var mechanism: UInt
        var parameter: UnsafeMutableRawPointer?
        var parameterLength: UInt
    }

    /// `CK_ATTRIBUTE`: words only, so laid out as in C; passed to C as raw bytes.
    struct Attribute {
        var type: UInt
        var value: UnsafeMutableRawPointer?
        var valueLength: UInt
    }

    /// `CK_GCM_PARAMS` (2.40).
    struct GCMParameters {
        var iv: UnsafeMutableRawPointer?
        var ivLength: UInt
        var ivBits: UInt
        var aad: UnsafeMutableRawPointer?
        var aadLength: UInt
        var tagBits: UInt
    }

    typealias InitializeFunction = @convention(c) (UnsafeMutableRawPointer?) -> UInt
    typealias GetSlotListFunction = @convention(c) (UInt8, UnsafeMutablePointer<UInt>?, UnsafeMutablePointer<UInt>) -> UInt
    typealias GetTokenInfoFunction = @convention(c) (UInt, UnsafeMutableRawPointer) -> UInt
    typealias OpenSessionFunction = @convention(c) (UInt, UInt, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt>) -> UInt
    typealias SessionFunction = @convention(c) (UInt) -> UInt
    typealias LoginFunction = @convention(c) (UInt, UInt, UnsafeMutablePointer<UInt8>?, UInt) -> UInt
    typealias FindObjectsInitFunction = @convention(c) (UInt, UnsafeMutableRawPointer?, UInt) -> UInt
    typealias FindObjectsFunction = @convention(c) (UInt, UnsafeMutablePointer<UInt>, UInt, UnsafeMutablePointer<UInt>) -> UInt
    typealias GenerateKeyFunction = @convention(c) (UInt, UnsafeMutableRawPointer, UnsafeMutableRawPointer?, UInt, UnsafeMutablePointer<UInt>) -> UInt
    typealias CipherInitFunction = @convention(c) (UInt, UnsafeMutableRawPointer, UInt) -> UInt
    typealias CipherFunction = @convention(c) (UInt, UnsafeMutablePointer<UInt8>?, UInt, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt>) -> UInt

    let path: String
    /// Serializes every session of this module: KEK operations are rare, and some token libraries
    /// (SoftHSM2 among them, when creating objects) misbehave under concurrent use.
    let lock = NIOLock()
    let getSlotList: GetSlotListFunction
    let getTokenInfo: GetTokenInfoFunction
    let openSession: OpenSessionFunction
    let closeSession: SessionFunction
    let login: LoginFunction
    let findObjectsInit: FindObjectsInitFunction
    let findObjects: FindObjectsFunction
    let findObjectsFinal: SessionFunction
    let generateKey: GenerateKeyFunction
    let encryptInit: CipherInitFunction
    let encrypt: CipherFunction
    let decryptInit: CipherInitFunction
    let decrypt: CipherFunction

    private static let loaded = NIOLockedValueBox<[String: PKCS11Module]>([:])

    /// The module at `path`, loaded and initialized once per process.
    static func load(_ path: String) throws(PKCS11Error) -> PKCS11Module {
        let result = Self.loaded.withLockedValue { modules -> Result<PKCS11Module, PKCS11Error> in
            if let module = modules[path] { return .success(module) }
            do throws(PKCS11Error) {
                let module = try PKCS11Module(path: path)
                modules[path] = module
                return .success(module)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private init(path: String) throws(PKCS11Error) {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw PKCS11Error("cannot load the PKCS#11 module \(path): \(String(cString: dlerror()))")
        }
        func symbol<T>(_ name: String, as type: T.Type) throws(PKCS11Error) -> T {
            guard let pointer = dlsym(handle, name) else { throw PKCS11Error("\(path) is not a PKCS#11 module: it has no \(name)") }
            return unsafeBitCast(pointer, to: type)
        }
        self.path = path
        let initialize = try symbol("C_Initialize", as: InitializeFunction.self)
        self.getSlotList = try symbol("C_GetSlotList", as: GetSlotListFunction.self)
        self.getTokenInfo = try symbol("C_GetTokenInfo", as: GetTokenInfoFunction.self)
        self.openSession = try symbol("C_OpenSession", as: OpenSessionFunction.self)
        self.closeSession = try symbol("C_CloseSession", as: SessionFunction.self)
        self.login = try symbol("C_Login", as: LoginFunction.self)
        self.findObjectsInit = try symbol("C_FindObjectsInit", as: FindObjectsInitFunction.self)
        self.findObjects = try symbol("C_FindObjects", as: FindObjectsFunction.self)
        self.findObjectsFinal = try symbol("C_FindObjectsFinal", as: SessionFunction.self)
        self.generateKey = try symbol("C_GenerateKey", as: GenerateKeyFunction.self)
        self.encryptInit = try symbol("C_EncryptInit", as: CipherInitFunction.self)
        self.encrypt = try symbol("C_Encrypt", as: CipherFunction.self)
        self.decryptInit = try symbol("C_DecryptInit", as: CipherInitFunction.self)
        self.decrypt = try symbol("C_Decrypt", as: CipherFunction.self)
        // CK_C_INITIALIZE_ARGS: four mutex callbacks (none), flags, reserved; the library may use OS locks.
        var arguments: [UInt] = [0, 0, 0, 0, Constant.osLockingOK, 0]
        let result = arguments.withUnsafeMutableBytes { initialize($0.baseAddress) }
        guard result == Constant.ok || result == Constant.cryptokiAlreadyInitialized else {
            throw PKCS11Error("C_Initialize of \(path) failed", code: result)
        }
    }

    /// The labels of the tokens present, by slot.
    func tokens() throws(PKCS11Error) -> [(slot: UInt, label: String)] {
        var count: UInt = 0
        try Self.check(self.getSlotList(1, nil, &count), "C_GetSlotList")
        var slots = [UInt](repeating: 0, count: Int(count))
        try Self.check(slots.withUnsafeMutableBufferPointer { self.getSlotList(1, $0.baseAddress, &count) }, "C_GetSlotList")
        var tokens: [(slot: UInt, label: String)] = []
        for slot in slots.prefix(Int(count)) {
            // CK_TOKEN_INFO starts with the 32-byte label, padded with spaces; the whole is well under 512 bytes.
            var info = [UInt8](repeating: 0, count: 512)
            let result = info.withUnsafeMutableBytes { self.getTokenInfo(slot, $0.baseAddress!) }
            guard result == Constant.ok else { continue }
            let label = String(decoding: info.prefix(32), as: UTF8.self).trimmingCharacters(in: .whitespaces.union(.controlCharacters))
            tokens.append((slot, label))
        }
        return tokens
    }

    static func check(_ result: UInt, _ function: String) throws(PKCS11Error) {
        guard result == Constant.ok else { throw PKCS11Error("\(function) failed", code: result) }
    }
}

/// A PKCS#11 failure, with the Cryptoki return value's name when there is one.
struct PKCS11Error: Error, CustomStringConvertible {
    var message: String
    var code: UInt?

    init(_ message: String, code: UInt? = nil) {
        self.message = message
        self.code = code
    }

    var description: String {
        guard let code else { return self.message }
        return "\(self.message): \(Self.names[code] ?? String(format: "CKR 0x%lx", code))"
    }

    private static let names: [UInt: String] = [
        0x5: "CKR_GENERAL_ERROR", 0x6: "CKR_FUNCTION_FAILED", 0x7: "CKR_ARGUMENTS_BAD", 0x30: "CKR_DEVICE_ERROR",
        0x32: "CKR_DEVICE_REMOVED", 0x40: "CKR_ENCRYPTED_DATA_INVALID", 0x41: "CKR_ENCRYPTED_DATA_LEN_RANGE",
        0x60: "CKR_KEY_HANDLE_INVALID", 0x68: "CKR_KEY_FUNCTION_NOT_PERMITTED", 0x70: "CKR_MECHANISM_INVALID",
        0x71: "CKR_MECHANISM_PARAM_INVALID", 0xA0: "CKR_PIN_INCORRECT (wrong PIN)", 0xA4: "CKR_PIN_LOCKED", 0xB3: "CKR_SESSION_HANDLE_INVALID",
        0xE0: "CKR_TOKEN_NOT_PRESENT", 0x101: "CKR_USER_NOT_LOGGED_IN", 0x150: "CKR_BUFFER_TOO_SMALL",
        0x190: "CKR_CRYPTOKI_NOT_INITIALIZED",
    ]
}
