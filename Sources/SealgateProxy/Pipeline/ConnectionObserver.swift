import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import NIOTLS
import SealgateCertificates

/// Counts open connections and TLS handshake failures by reason, and logs the failures.
final class ConnectionObserver: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let metrics: ProxyMetrics
    private let logger: Logger
    private var handshakeCompleted = false

    init(metrics: ProxyMetrics, logger: Logger) {
        self.metrics = metrics
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.metrics.connectionOpened()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.metrics.connectionClosed()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { self.handshakeCompleted = true }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !self.handshakeCompleted {
            self.handshakeCompleted = true  // count a connection once
            let reason = Self.reason(for: error)
            self.metrics.handshakeFailed(reason: reason)
            self.logger.info(
                "tls handshake failed",
                metadata: [
                    "reason": "\(reason)",
                    "remote": "\(context.channel.remoteAddress?.ipAddress ?? "-")",
                    "error": "\(Self.detail(for: error))",
                ]
            )
        }
        context.fireErrorCaught(error)
    }

    /// The error texts that name each reason; anything else is `other`.
    private static let reasonsByText: [(String, String)] = [
        ("PEER_DID_NOT_RETURN_A_CERTIFICATE", "no_client_certificate"),
        ("CERTIFICATE_VERIFY_FAILED", "certificate_verify_failed"),
        ("UNSUPPORTED_PROTOCOL", "protocol_version"),
        ("WRONG_VERSION_NUMBER", "protocol_version"),
        ("PROTOCOL_VERSION", "protocol_version"),
        ("HTTP_REQUEST", "plain_http"),
        ("NO_SHARED_CIPHER", "no_shared_cipher"),
        ("NO_APPLICATION_PROTOCOL", "alpn"),
        ("UNCLEANSHUTDOWN", "client_closed"),
    ]

    /// The reasons of refusals by the revocation lists (``RevocationCheck``), by error code.
    private static let reasonsByCode: [(SealgateCertificatesError.Code, String)] = [
        (.certificateRevoked, "certificate_revoked"),
        (.revocationListStale, "crl_stale"),
    ]

    /// Every reason a failed handshake is counted under.
    static let reasons: [String] = Array(Set(reasonsByText.map(\.1) + reasonsByCode.map(\.1))).sorted() + ["other"]

    /// What BoringSSL said, short: `certificate verify failed` for an error whose text is
    /// `…error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at /…/handshake.cc:393…`,
    /// without codes or source paths; other errors as they describe themselves, up to the first ` at /`.
    static func detail(for error: any Error) -> String {
        if let error = error as? SealgateCertificatesError { return error.message }
        let text = String(describing: error)
        var reasons: [String] = []
        var rest = text[...]
        while let marker = rest.range(of: "OPENSSL_internal:") {
            let reason = rest[marker.upperBound...].prefix { $0.isUppercase || $0.isNumber || $0 == "_" }
            let readable = reason.lowercased().replacingOccurrences(of: "_", with: " ")
            if !readable.isEmpty, !reasons.contains(readable) { reasons.append(readable) }
            rest = rest[marker.upperBound...]
        }
        if !reasons.isEmpty { return reasons.joined(separator: ", ") }
        return String((text.range(of: " at /").map { text[..<$0.lowerBound] } ?? text[...]).prefix(200))
    }

    /// A short, stable reason for a failed handshake, used as a metric label.
    static func reason(for error: any Error) -> String {
        if let error = error as? SealgateCertificatesError, let reason = Self.reasonsByCode.first(where: { $0.0 == error.code }) {
            return reason.1
        }
        let text = String(describing: error).uppercased()
        return Self.reasonsByText.first { text.contains($0.0) }?.1 ?? "other"
    }
}

@available(*, unavailable)
extension ConnectionObserver: Sendable {}
