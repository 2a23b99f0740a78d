import Foundation
import NIOCore
import NIOHTTP1
import SealgateCertificates

/// A refusal sent to the client as `application/problem+json` (RFC 9457).
///
/// `detail` may name a rule path or a byte offset, never a field value.
struct Problem: Error, Hashable {
    var status: HTTPResponseStatus
    /// Machine-readable reason, also the last part of `type`.
    var code: String
    var detail: String
    /// Extra response headers (`Allow` on 405).
    var headers: [(String, String)] = []
    /// Whether the connection must be closed after the response (framing errors, timeouts).
    var closesConnection = false
    /// Whether, over HTTP/2, the whole connection is closed rather than the stream (the identity no longer holds).
    var closesEveryStream = false

    static func == (lhs: Problem, rhs: Problem) -> Bool {
        lhs.status == rhs.status && lhs.code == rhs.code && lhs.detail == rhs.detail
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(self.code)
    }

    /// The JSON body.
    func body(allocator: ByteBufferAllocator) -> ByteBuffer {
        var json = "{\"type\":\"urn:sealgate:problem:\(self.code)\",\"title\":"
        json += JSONString.quote(self.status.reasonPhrase)
        json += ",\"status\":\(self.status.code),\"detail\":" + JSONString.quote(self.detail)
        json += ",\"code\":" + JSONString.quote(self.code) + "}"
        return allocator.buffer(string: json)
    }

    /// The response head for a body of `contentLength` bytes.
    func head(version: HTTPVersion, requestID: String?, contentLength: Int) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/problem+json")
        headers.add(name: "content-length", value: String(contentLength))
        if let requestID { headers.add(name: "x-request-id", value: requestID) }
        for (name, value) in self.headers { headers.add(name: name, value: value) }
        if self.closesConnection, version.major < 2 { headers.add(name: "connection", value: "close") }
        return HTTPResponseHead(version: version, status: self.status, headers: headers)
    }
}

extension Problem {
    /// Every `code` sealgate answers with, so that `sealgate_rejected_requests_total` has each at 0 from the start
    /// (a unit test checks that every code in the sources is here).
    static let codes = [
        "ambiguous_field", "body_timeout", "certificate_expired", "certificate_not_yet_valid", "certificate_revoked", "certificate_untrusted",
        "forbidden", "header_timeout", "header_too_large", "invalid_framing", "invalid_json", "invalid_method",
        "invalid_path", "keys_unavailable", "method_not_allowed", "method_not_supported", "no_key_for_identity", "not_authentic_token",
        "number_not_exact", "payload_too_large", "shutting_down", "tunnel_not_supported", "unsupported_media_type",
        "upstream_failed", "upstream_read_timeout", "upstream_timeout", "upstream_unavailable", "value_too_large",
        "write_timeout",
    ]

    static func badRequest(_ code: String = "bad_request", _ detail: String, close: Bool = false) -> Problem {
        Problem(status: .badRequest, code: code, detail: detail, closesConnection: close)
    }

    static func forbidden(_ detail: String) -> Problem {
        Problem(status: .forbidden, code: "forbidden", detail: detail)
    }

    static func methodNotAllowed(allowed: [String]) -> Problem {
        Problem(
            status: .methodNotAllowed,
            code: "method_not_allowed",
            detail: "this route accepts \(allowed.joined(separator: ", "))",
            headers: [("allow", allowed.joined(separator: ", "))]
        )
    }

    static func payloadTooLarge(limit: Int) -> Problem {
        Problem(
            status: .payloadTooLarge,
            code: "payload_too_large",
            detail: "the request body exceeds \(limit) bytes",
            closesConnection: true
        )
    }

    /// The connection's client certificate expired after its handshake: refused, and the connection closed.
    static func certificateExpired(notAfter: Date) -> Problem {
        Problem(
            status: .unauthorized,
            code: "certificate_expired",
            detail: "the client certificate of this connection expired at \(notAfter.rfc3339)",
            closesConnection: true,
            closesEveryStream: true
        )
    }

    /// The connection's client certificate was revoked by a CRL loaded after its handshake.
    static func certificateRevoked(serial: String) -> Problem {
        Problem(
            status: .unauthorized,
            code: "certificate_revoked",
            detail: "the client certificate of this connection (serial \(serial)) is revoked by the current CRLs",
            closesConnection: true,
            closesEveryStream: true
        )
    }

    /// The CA that issued the connection's client certificate is no longer in `client_ca` (reloaded since the handshake).
    static func certificateUntrusted(issuer: String) -> Problem {
        Problem(
            status: .unauthorized,
            code: "certificate_untrusted",
            detail: "the issuer of the client certificate of this connection (\(issuer)) is no longer a trusted client CA",
            closesConnection: true,
            closesEveryStream: true
        )
    }

    /// The connection's client certificate is not valid yet (its notBefore is ahead of this host's clock).
    static func certificateNotYetValid(notBefore: Date) -> Problem {
        Problem(
            status: .unauthorized,
            code: "certificate_not_yet_valid",
            detail: "the client certificate of this connection is valid from \(notBefore.rfc3339)",
            closesConnection: true,
            closesEveryStream: true
        )
    }

    static let headerTooLarge = Problem(
        status: .requestHeaderFieldsTooLarge,
        code: "header_too_large",
        detail: "the request header block exceeds the configured limit",
        closesConnection: true
    )

    static let headerTimeout = Problem(
        status: .requestTimeout,
        code: "header_timeout",
        detail: "the request header block was not received in time",
        closesConnection: true
    )

    static let bodyTimeout = Problem(
        status: .requestTimeout,
        code: "body_timeout",
        detail: "the request body stopped arriving for longer than the configured limit",
        closesConnection: true
    )

    /// Logged when the backend stalls a response it has started (the client's copy is cut).
    static let upstreamReadTimeout = Problem(
        status: .gatewayTimeout,
        code: "upstream_read_timeout",
        detail: "the backend stopped sending its response",
        closesConnection: true
    )

    /// Logged when a client stops reading its response (its connection is closed).
    static let clientWriteTimeout = Problem(
        status: .requestTimeout,
        code: "write_timeout",
        detail: "the client stopped reading its response",
        closesConnection: true
    )

    static let notImplementedTunnel = Problem(
        status: .notImplemented,
        code: "tunnel_not_supported",
        detail: "CONNECT and protocol upgrades are not forwarded",
        closesConnection: true
    )

    static let traceNotForwarded = Problem(
        status: .notImplemented,
        code: "method_not_supported",
        detail: "TRACE is not forwarded"
    )

    static let upstreamUnavailable = Problem(
        status: .badGateway,
        code: "upstream_unavailable",
        detail: "the backend could not be reached"
    )

    static let upstreamFailed = Problem(
        status: .badGateway,
        code: "upstream_failed",
        detail: "the backend closed the connection without a complete response"
    )

    static let upstreamTimeout = Problem(
        status: .gatewayTimeout,
        code: "upstream_timeout",
        detail: "the backend did not answer in time"
    )

    static let shuttingDown = Problem(
        status: .serviceUnavailable,
        code: "shutting_down",
        detail: "sealgate is shutting down",
        closesConnection: true
    )
}

/// JSON string quoting for the few JSON documents sealgate writes itself (problems, log lines).
public enum JSONString {
    /// The value as a JSON string literal, quotes included.
    public static func quote(_ value: String) -> String {
        let utf8 = value.utf8
        // Most values (ids, paths, names) need no escaping: copy them whole.
        guard utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }) else {
            return "\"" + value + "\""
        }
        // Only ASCII bytes are escaped, so every byte of a multi-byte UTF-8 sequence (0x80 and up) is copied as is.
        let hexDigits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = [UInt8(ascii: "\"")]
        bytes.reserveCapacity(utf8.count + 16)
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case UInt8(ascii: "\r"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case UInt8(ascii: "\t"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case ..<0x20: bytes += Array("\\u00".utf8) + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xf)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        return String(decoding: bytes, as: UTF8.self)
    }
}
