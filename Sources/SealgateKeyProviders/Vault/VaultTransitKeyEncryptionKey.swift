import Foundation
import NIOHTTP1
import SealgateCrypto

/// A KEK held in HashiCorp Vault's or OpenBao's Transit engine: keysets are wrapped by `<mount>/encrypt/<key>` and
/// unwrapped by `<mount>/decrypt/<key>`, with the keyset's name as `associated_data`, exactly as Tink's
/// `hcvault.NewAEAD("/<mount>/keys/<key>", …)` does; a Tink user reads `<name>.json` with
/// `keyset.ReadWithAssociatedData(reader, aead, []byte(name))`. The wrapped keyset is the text Vault returns,
/// `vault:v<version>:…`, as Tink stores it.
public struct VaultTransitKeyEncryptionKey: KeyEncryptionKeyProvider {
    public let configuration: VaultTransitConfiguration
    private let http: VaultHTTP
    private let tokens: VaultTokenSource

    /// - Parameters:
    ///   - configuration: the server, key and login.
    ///   - timeout: the time allowed for one request.
    /// - Throws: ``SealgateCryptoError/Code/kekUnavailable`` if the address is not an http(s) URL.
    public init(_ configuration: VaultTransitConfiguration, timeout: Duration = .seconds(10)) throws {
        guard let url = URLComponents(string: configuration.address), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw SealgateCryptoError(.kekUnavailable, "vault-transit KEK: address \(configuration.address) is not an http:// or https:// URL")
        }
        self.configuration = configuration
        self.http = VaultHTTP(address: configuration.address, namespace: configuration.namespace, caFile: configuration.caFile, timeout: timeout)
        self.tokens = VaultTokenSource.shared(for: configuration, http: self.http)
    }

    public func encrypt(_ plaintext: [UInt8], associatedData: [UInt8]) async throws -> [UInt8] {
        let data = try await self.transit("encrypt", [
            "plaintext": Data(plaintext).base64EncodedString(), "associated_data": Data(associatedData).base64EncodedString(),
        ])
        guard let ciphertext = data["ciphertext"] as? String else {
            throw SealgateCryptoError(.kekUnavailable, "\(self): encrypt answered without a ciphertext")
        }
        return Array(ciphertext.utf8)
    }

    public func decrypt(_ ciphertext: [UInt8], associatedData: [UInt8]) async throws -> [UInt8] {
        let text = String(decoding: ciphertext, as: UTF8.self)
        guard text.hasPrefix("vault:v") else {
            throw SealgateCryptoError(.authenticationFailure, "\(self): the keyset was not wrapped by Vault Transit")
        }
        let data = try await self.transit("decrypt", ["ciphertext": text, "associated_data": Data(associatedData).base64EncodedString()])
        guard let plaintext = (data["plaintext"] as? String).flatMap({ Data(base64Encoded: $0) }) else {
            throw SealgateCryptoError(.kekUnavailable, "\(self): decrypt answered without a plaintext")
        }
        return Array(plaintext)
    }

    /// Each keyset is bound to its name.
    public func keysetAssociatedData(name: String) -> [UInt8] { Array(name.utf8) }

    /// `vault-transit KEK <mount>/<key> at <address>`.
    public var description: String {
        "vault-transit KEK \(self.configuration.mount)/\(self.configuration.key) at \(self.configuration.address)"
    }

    /// One Transit call, logging in again once if the server refuses a token that a login can replace.
    private func transit(_ operation: String, _ body: [String: any Sendable]) async throws -> [String: Any] {
        let path = "\(self.configuration.mount)/\(operation)/\(self.configuration.key)"
        var token = try await self.tokens.token()
        var answer = try await self.http.request(path, body: body, token: token)
        if answer.status == .forbidden, self.tokens.canLogIn {
            await self.tokens.refused(token)
            token = try await self.tokens.token()
            answer = try await self.http.request(path, body: body, token: token)
        }
        guard answer.status == .ok else {
            // Vault reports an inauthentic ciphertext (another key, other associated data) as a 400.
            let errors = answer.errors
            let code: SealgateCryptoError.Code =
                answer.status == .badRequest && (errors.contains("message authentication failed") || errors.contains("invalid ciphertext"))
                ? .authenticationFailure : .kekUnavailable
            throw SealgateCryptoError(code, "\(self): \(operation) refused: \(errors)")
        }
        return answer.data
    }
}
