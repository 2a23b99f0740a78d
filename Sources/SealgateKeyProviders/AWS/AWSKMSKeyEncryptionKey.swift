import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SealgateCrypto

/// A KEK held in AWS KMS: keysets are wrapped and unwrapped by KMS `Encrypt` and `Decrypt`, as Tink's
/// `AwsKmsAead` does (associated data, when present, as the `associatedData` encryption context in hex),
/// so a Tink user with access to the same key reads the vault with `KeysetHandle.read`.
public struct AWSKMSKeyEncryptionKey: KeyEncryptionKeyProvider {
    /// The key: an ARN, a key id, or an alias (`alias/name`).
    public let keyID: String
    public let region: String
    /// Where requests go: `https://kms.<region>.amazonaws.com` unless overridden (for a KMS-compatible server).
    public let endpoint: URL
    private let signer: SigV4
    private let timeout: Duration

    /// - Parameters:
    ///   - keyID: the key's ARN, id or alias.
    ///   - region: the key's region; taken from the ARN when nil.
    ///   - endpoint: overrides the regional endpoint.
    ///   - credentials: the credentials; the standard environment's when nil.
    ///   - timeout: the time allowed for one request.
    /// - Throws: ``SealgateCryptoError/Code/kekUnavailable`` when there are no credentials or no region.
    public init(
        keyID: String,
        region: String? = nil,
        endpoint: String? = nil,
        credentials: AWSCredentials? = nil,
        timeout: Duration = .seconds(10)
    ) throws {
        let arnRegion = keyID.hasPrefix("arn:") ? keyID.split(separator: ":", omittingEmptySubsequences: false).dropFirst(3).first.map(String.init) : nil
        guard let region = region ?? arnRegion, !region.isEmpty else {
            throw SealgateCryptoError(.kekUnavailable, "aws-kms KEK \(keyID): no region (set keys.kek.region or use a key ARN)")
        }
        guard let credentials = credentials ?? AWSCredentials.standard() else {
            throw SealgateCryptoError(
                .kekUnavailable,
                "aws-kms KEK \(keyID): no AWS credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials)"
            )
        }
        guard let url = URL(string: endpoint ?? "https://kms.\(region).amazonaws.com"), url.host != nil else {
            throw SealgateCryptoError(.kekUnavailable, "aws-kms KEK \(keyID): endpoint \(endpoint ?? "") is not a URL")
        }
        self.keyID = keyID
        self.region = region
        self.endpoint = url
        self.signer = SigV4(credentials: credentials, region: region, service: "kms")
        self.timeout = timeout
    }

    public func encrypt(_ plaintext: [UInt8], associatedData: [UInt8]) async throws -> [UInt8] {
        var request: [String: any Sendable] = ["KeyId": self.keyID, "Plaintext": Data(plaintext).base64EncodedString()]
        if !associatedData.isEmpty { request["EncryptionContext"] = ["associatedData": associatedData.hexString] }
        let response = try await self.call("Encrypt", request)
        guard let blob = (response["CiphertextBlob"] as? String).flatMap({ Data(base64Encoded: $0) }) else {
            throw SealgateCryptoError(.kekUnavailable, "\(self): KMS Encrypt answered without a CiphertextBlob")
        }
        return Array(blob)
    }

    public func decrypt(_ ciphertext: [UInt8], associatedData: [UInt8]) async throws -> [UInt8] {
        var request: [String: any Sendable] = ["KeyId": self.keyID, "CiphertextBlob": Data(ciphertext).base64EncodedString()]
        if !associatedData.isEmpty { request["EncryptionContext"] = ["associatedData": associatedData.hexString] }
        let response = try await self.call("Decrypt", request)
        // Like Tink: a key ARN must be the key that decrypted, not merely one the caller may use.
        if self.keyID.hasPrefix("arn:aws:kms:"), let used = response["KeyId"] as? String, used != self.keyID {
            throw SealgateCryptoError(.authenticationFailure, "\(self): the keyset was encrypted under another key (\(used))")
        }
        guard let plaintext = (response["Plaintext"] as? String).flatMap({ Data(base64Encoded: $0) }) else {
            throw SealgateCryptoError(.kekUnavailable, "\(self): KMS Decrypt answered without a Plaintext")
        }
        return Array(plaintext)
    }

    /// `aws-kms KEK <key> (<region>)`.
    public var description: String { "aws-kms KEK \(self.keyID) (\(self.region))" }

    /// Sends one signed KMS request and returns its JSON answer; KMS errors become clear errors.
    private func call(_ operation: String, _ request: [String: any Sendable]) async throws -> [String: Any] {
        let body = Array(try JSONSerialization.data(withJSONObject: request, options: [.sortedKeys]))
        let host = self.endpoint.port.map { "\(self.endpoint.host!):\($0)" } ?? self.endpoint.host!
        let headers = [
            (name: "host", value: host),
            (name: "content-type", value: "application/x-amz-json-1.1"),
            (name: "x-amz-target", value: "TrentService.\(operation)"),
        ]
        let path = self.endpoint.path.isEmpty ? "/" : self.endpoint.path
        var httpRequest = HTTPClientRequest(url: self.endpoint.absoluteString)
        httpRequest.method = .POST
        for header in headers + self.signer.signatureHeaders(method: "POST", path: path, headers: headers, body: body, date: Date()) {
            httpRequest.headers.add(name: header.name, value: header.value)
        }
        httpRequest.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        let answer: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(httpRequest, timeout: TimeAmount.nanoseconds(Int64(self.timeout.components.seconds) * 1_000_000_000))
            answer = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw SealgateCryptoError(.kekUnavailable, "\(self): KMS at \(self.endpoint.absoluteString) unreachable: \(error)")
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(answer.readableBytesView))) as? [String: Any] ?? [:]
        guard response.status == .ok else {
            let type = ((json["__type"] as? String) ?? "HTTP \(response.status.code)").split(separator: "#").last.map(String.init) ?? ""
            let message = (json["message"] as? String) ?? (json["Message"] as? String) ?? ""
            let code: SealgateCryptoError.Code = type == "InvalidCiphertextException" ? .authenticationFailure : .kekUnavailable
            throw SealgateCryptoError(code, "\(self): KMS \(operation) refused: \(type)\(message.isEmpty ? "" : ": \(message)")")
        }
        return json
    }
}
