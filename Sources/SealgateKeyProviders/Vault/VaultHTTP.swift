import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import SealgateCrypto

/// JSON requests to a Vault or OpenBao server: `/v1/<path>`, with the namespace header and the configured CA.
/// Failures become ``SealgateCryptoError``s that name the server and path, never a token.
struct VaultHTTP: Sendable {
    /// What a request answered: its status and JSON body.
    struct Answer: @unchecked Sendable {
        var status: HTTPResponseStatus
        var json: [String: Any]

        /// The server's `errors`, joined.
        var errors: String { (self.json["errors"] as? [String])?.joined(separator: "; ") ?? "HTTP \(self.status.code)" }
        /// The `data` object.
        var data: [String: Any] { self.json["data"] as? [String: Any] ?? [:] }
        /// The `auth` object of a login or renewal.
        var auth: [String: Any] { self.json["auth"] as? [String: Any] ?? [:] }
    }

    let address: String
    let namespace: String?
    private let tls: TLSConfiguration?
    private let timeout: TimeAmount

    init(address: String, namespace: String?, caFile: String?, timeout: Duration = .seconds(10)) {
        self.address = address.hasSuffix("/") ? String(address.dropLast()) : address
        self.namespace = namespace
        self.tls = caFile.map { file in
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .file(file)
            return configuration
        }
        self.timeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000)
    }

    /// Sends `body` to `/v1/<path>` (POST, or GET without a body).
    /// - Throws: ``SealgateCryptoError/Code/kekUnavailable`` when the server cannot be reached or its answer is not
    ///   JSON; HTTP errors are returned for the caller to judge.
    func request(_ path: String, body: [String: any Sendable]?, token: String?) async throws -> Answer {
        var request = HTTPClientRequest(url: "\(self.address)/v1/\(path)")
        request.tlsConfiguration = self.tls
        if let token { request.headers.add(name: "X-Vault-Token", value: token) }
        if let namespace { request.headers.add(name: "X-Vault-Namespace", value: namespace) }
        if let body {
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(request, timeout: self.timeout)
            bytes = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw SealgateCryptoError(.kekUnavailable, "Vault at \(self.address) unreachable (\(path)): \(error)")
        }
        let json = bytes.readableBytes == 0 ? [:] : (try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView))) as? [String: Any]
        guard let json else {
            throw SealgateCryptoError(.kekUnavailable, "Vault at \(self.address) answered \(path) with HTTP \(response.status.code) and no JSON")
        }
        return Answer(status: response.status, json: json)
    }
}
