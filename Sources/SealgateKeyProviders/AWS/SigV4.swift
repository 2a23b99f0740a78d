import Crypto
import Foundation
import SealgateCrypto

/// AWS Signature Version 4: signs one HTTP request for a service in a region.
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv4-create-signed-request.html)
struct SigV4: Sendable {
    var credentials: AWSCredentials
    var region: String
    var service: String

    /// The headers to add to the request: `x-amz-date`, `x-amz-security-token` for temporary
    /// credentials, and `authorization`.
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - path: the absolute path, already URI-encoded.
    ///   - query: the query string, already in canonical form (sorted, encoded), or empty.
    ///   - headers: every other header that is sent, `host` included; all are signed.
    ///   - body: the request body.
    ///   - date: the signing time.
    func signatureHeaders(
        method: String,
        path: String,
        query: String = "",
        headers: [(name: String, value: String)],
        body: [UInt8],
        date: Date
    ) -> [(name: String, value: String)] {
        let (amzDate, day) = Self.timestamps(date)
        var added = [(name: "x-amz-date", value: amzDate)]
        if let token = self.credentials.sessionToken { added.append((name: "x-amz-security-token", value: token)) }
        let signed = (headers + added)
            .map { (name: $0.name.lowercased(), value: $0.value.trimmingCharacters(in: .whitespaces)) }
            .sorted { $0.name < $1.name }
        let signedNames = signed.map(\.name).joined(separator: ";")
        let canonicalRequest = [
            method,
            path,
            query,
            signed.map { "\($0.name):\($0.value)\n" }.joined(),
            signedNames,
            SHA256.hash(data: body).hexString,
        ].joined(separator: "\n")
        let scope = "\(day)/\(self.region)/\(self.service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, SHA256.hash(data: Data(canonicalRequest.utf8)).hexString]
            .joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(self.credentials.secretAccessKey)".utf8))
        for part in [day, self.region, self.service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key).hexString
        let authorization = "AWS4-HMAC-SHA256 Credential=\(self.credentials.accessKeyID)/\(scope), SignedHeaders=\(signedNames), Signature=\(signature)"
        return added + [(name: "authorization", value: authorization)]
    }

    /// `20150830T123600Z` and `20150830`, in UTC.
    static func timestamps(_ date: Date) -> (String, String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let day = String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
        return (day + String(format: "T%02d%02d%02dZ", c.hour!, c.minute!, c.second!), day)
    }
}
