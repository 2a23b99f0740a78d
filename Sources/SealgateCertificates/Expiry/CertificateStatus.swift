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

    public init(_ certificate: WatchedCertificate, thresholds: ExpiryThresholds, at now: Date) {
        self.certificate = certificate
        self.assessment = thresholds.assess(certificate.summary, at: now)
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
    }

    /// The `/certs` object of DESIGN.md: `path` absent for certificates seen in handshakes, `threshold` null when none is crossed.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        let summary = self.certificate.summary
        try container.encode(self.certificate.role.rawValue, forKey: .role)
        try container.encodeIfPresent(self.certificate.path, forKey: .path)
        try container.encode(summary.subject, forKey: .subject)
        try container.encode(summary.issuer, forKey: .issuer)
        try container.encode(summary.serial, forKey: .serial)
        try container.encode(summary.sha256, forKey: .sha256)
        try container.encode(summary.uris, forKey: .uris)
        try container.encode(summary.dnsNames, forKey: .dns)
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
