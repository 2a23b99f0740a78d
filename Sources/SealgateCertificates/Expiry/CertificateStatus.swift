import Foundation

/// Why sealgate watches a certificate.
public enum CertificateRole: String, Sendable, Hashable, CaseIterable {
    /// The chain sealgate serves to clients.
    case server
    /// The bundle of CAs trusted for client certificates.
    case clientCA = "client_ca"
    /// The bundle of CAs trusted for an HTTPS backend.
    case upstreamCA = "upstream_ca"
    /// The chain sealgate presents to an HTTPS backend.
    case upstreamClient = "upstream_client"
    /// A file listed in `monitor.watch`.
    case watched
    /// A client certificate seen in a handshake.
    case clientSeen = "client_seen"
    /// A certificate revocation list of the client CAs (`listen.tls.crl`).
    case crl
    /// A certificate revocation list of the backend's CAs (`upstream.tls.crl`).
    case upstreamCRL = "upstream_crl"

    /// Whether the role is a revocation list rather than a certificate.
    public var isRevocationList: Bool { self == .crl || self == .upstreamCRL }
}

/// A certificate sealgate watches: what it is for, where it comes from, and what it says.
public struct WatchedCertificate: Sendable, Hashable {
    public var role: CertificateRole
    /// The file as configured; nil for client certificates seen in handshakes.
    public var path: String?
    public var summary: CertificateSummary

    public init(role: CertificateRole, path: String?, summary: CertificateSummary) {
        self.role = role
        self.path = path
        self.summary = summary
    }

    /// Every certificate of a bundle, in file order.
    public static func all(in bundle: CertificateBundle, role: CertificateRole) throws -> [WatchedCertificate] {
        try bundle.summaries.map { WatchedCertificate(role: role, path: bundle.path, summary: $0) }
    }
}

/// A watched certificate with its state at one moment: one entry of `/certs`.
public struct CertificateStatus: Sendable, Hashable {
    public var certificate: WatchedCertificate
    public var assessment: ExpiryAssessment
    /// When the state was assessed.
    public var assessedAt: Date

    /// - Parameters:
    ///   - certificate: the certificate or revocation list.
    ///   - thresholds: the expiry thresholds; a revocation list is only `ok`, `expired` (stale) or `not_yet_valid`,
    ///     since a list due for renewal every few days would otherwise always warn.
    ///   - now: the time of the assessment.
    public init(_ certificate: WatchedCertificate, thresholds: ExpiryThresholds, at now: Date) {
        self.certificate = certificate
        let applicable = certificate.role.isRevocationList ? ExpiryThresholds([]) : thresholds
        self.assessment = applicable.assess(certificate.summary, at: now)
        self.assessedAt = now
    }
}

extension CertificateStatus: Encodable {
    private enum Key: String, CodingKey {
        case role, path, subject, issuer, serial, sha256, uris, dns
        case notBefore = "not_before"
        case notAfter = "not_after"
        case expiresInSeconds = "expires_in_seconds"
        case state, threshold
        case crlNumber = "crl_number"
    }

    /// The `/certs` object of DESIGN.md: `path` absent for certificates seen in handshakes, `threshold` null when none is crossed.
    /// A revocation list has no `subject`, `serial`, `uris` or `dns`; it has `crl_number` (null without one), and
    /// `not_before`/`not_after` are its thisUpdate/nextUpdate.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        let summary = self.certificate.summary
        try container.encode(self.certificate.role.rawValue, forKey: .role)
        try container.encodeIfPresent(self.certificate.path, forKey: .path)
        try container.encode(summary.issuer, forKey: .issuer)
        try container.encode(summary.sha256, forKey: .sha256)
        if self.certificate.role.isRevocationList {
            try container.encode(summary.serial.isEmpty ? nil : summary.serial, forKey: .crlNumber)
        } else {
            try container.encode(summary.subject, forKey: .subject)
            try container.encode(summary.serial, forKey: .serial)
            try container.encode(summary.uris, forKey: .uris)
            try container.encode(summary.dnsNames, forKey: .dns)
        }
        try container.encode(summary.notBefore.rfc3339, forKey: .notBefore)
        try container.encode(summary.notAfter.rfc3339, forKey: .notAfter)
        try container.encode(Int64(summary.notAfter.timeIntervalSince(self.assessedAt).rounded(.down)), forKey: .expiresInSeconds)
        try container.encode(self.assessment.state.rawValue, forKey: .state)
        if let threshold = self.assessment.threshold {
            try container.encode(threshold.configurationText, forKey: .threshold)
        } else {
            try container.encodeNil(forKey: .threshold)
        }
    }
}

/// The `/certs` document: `{"certificates": [ … ]}`.
public struct CertificateReport: Sendable, Encodable {
    public var certificates: [CertificateStatus]

    public init(certificates: [CertificateStatus]) {
        self.certificates = certificates
    }

    /// The report as JSON, keys sorted, pretty-printed when asked.
    public func json(pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{\"certificates\":[]}".utf8), as: UTF8.self)
    }
}

extension Date {
    /// RFC 3339 in UTC with whole seconds: `2026-11-23T10:00:00Z`.
    public var rfc3339: String { self.formatted(.iso8601) }
}
