import Foundation
import NIOConcurrencyHelpers
import NIOHTTP1
import SealgateCrypto

/// The Vault token of one configuration, shared by every use of its KEK in the process: read from its file at
/// each use, or obtained by an AppRole or Kubernetes login and renewed once two thirds of its lease have passed
/// (logging in again when renewal is refused or the token has expired). Tokens never appear in errors or logs.
actor VaultTokenSource {
    private struct Lease {
        var token: String
        var obtained: ContinuousClock.Instant
        /// nil for a token that does not expire.
        var duration: Duration?
        var renewable: Bool
    }

    private static let sources = NIOLockedValueBox<[VaultTransitConfiguration: VaultTokenSource]>([:])

    /// The process's source for a configuration, so that a login and its renewals outlive one KEK value.
    static func shared(for configuration: VaultTransitConfiguration, http: VaultHTTP) -> VaultTokenSource {
        sources.withLockedValue { sources in
            if let source = sources[configuration] { return source }
            let source = VaultTokenSource(configuration.authentication, http: http)
            sources[configuration] = source
            return source
        }
    }

    private let authentication: VaultTransitConfiguration.Authentication
    private let http: VaultHTTP
    private var lease: Lease?

    init(_ authentication: VaultTransitConfiguration.Authentication, http: VaultHTTP) {
        self.authentication = authentication
        self.http = http
    }

    /// A token to use now.
    /// - Throws: ``SealgateCryptoError/Code/kekUnavailable`` when no token can be had.
    func token() async throws -> String {
        if case .tokenFile(let path) = self.authentication { return try Self.firstLine(of: path, what: "token_file") }
        if let lease, let duration = lease.duration {
            let age = ContinuousClock.now - lease.obtained
            if age >= duration {
                self.lease = nil
            } else if age >= duration * 2 / 3, lease.renewable {
                await self.renew(lease)
            }
        }
        if let lease { return lease.token }
        return try await self.login()
    }

    /// Forgets a token the server refused, so that the next ``token()`` logs in again; tokens from a file are
    /// read again anyway.
    func refused(_ token: String) {
        if self.lease?.token == token { self.lease = nil }
    }

    /// Whether a refused token can be replaced by logging in again.
    nonisolated var canLogIn: Bool {
        if case .tokenFile = self.authentication { return false }
        return true
    }

    private func renew(_ current: Lease) async {
        guard let answer = try? await self.http.request("auth/token/renew-self", body: [:], token: current.token),
            answer.status == .ok, let renewed = Self.lease(from: answer)
        else {
            // Refused or unreachable: keep the token while it lasts, log in again once it has expired.
            return
        }
        self.lease = renewed
    }

    private func login() async throws -> String {
        let path: String
        let body: [String: any Sendable]
        switch self.authentication {
        case .tokenFile(let file):
            return try Self.firstLine(of: file, what: "token_file")
        case .appRole(let roleIDFile, let secretIDFile, let mount):
            path = "auth/\(mount)/login"
            body = [
                "role_id": try Self.firstLine(of: roleIDFile, what: "approle.role_id_file"),
                "secret_id": try Self.firstLine(of: secretIDFile, what: "approle.secret_id_file"),
            ]
        case .kubernetes(let role, let tokenFile, let mount):
            path = "auth/\(mount)/login"
            body = ["role": role, "jwt": try Self.firstLine(of: tokenFile, what: "kubernetes.token_file")]
        }
        let answer = try await self.http.request(path, body: body, token: nil)
        guard answer.status == .ok, let lease = Self.lease(from: answer) else {
            throw SealgateCryptoError(.kekUnavailable, "Vault at \(self.http.address) refused the login at \(path): \(answer.errors)")
        }
        self.lease = lease
        return lease.token
    }

    private static func lease(from answer: VaultHTTP.Answer) -> Lease? {
        guard let token = answer.auth["client_token"] as? String, !token.isEmpty else { return nil }
        let seconds = (answer.auth["lease_duration"] as? Int) ?? 0
        return Lease(
            token: token,
            obtained: .now,
            duration: seconds > 0 ? .seconds(seconds) : nil,
            renewable: (answer.auth["renewable"] as? Bool) ?? false
        )
    }

    /// The first line of a credential file, which must exist and not be empty.
    private static func firstLine(of path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path),
            let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init),
            !line.trimmingCharacters(in: .whitespaces).isEmpty
        else {
            throw SealgateCryptoError(.kekUnavailable, "vault-transit KEK: cannot read \(path) (keys.kek.auth.\(what)), or it is empty")
        }
        return line.trimmingCharacters(in: .whitespaces)
    }
}
