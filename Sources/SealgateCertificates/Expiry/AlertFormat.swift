import Foundation

/// The body formats in which expiry alerts are posted to webhooks.
public enum AlertFormat: String, Sendable, Hashable, CaseIterable {
    /// Alertmanager's v2 API (`POST /api/v2/alerts`): an array of alerts.
    case alertmanager
    /// A Slack incoming webhook: `{"text": …}`.
    case slack
    /// The `/certs` object of the certificate plus `event` (`firing` or `resolved`).
    case json

    /// The request bodies that deliver `alerts`: one per alert, or for Alertmanager one array, posted
    /// as `alertmanager` says at `now` (by default when the alerts were assessed).
    public func bodies(for alerts: [ExpiryAlert], alertmanager: AlertmanagerPost = AlertmanagerPost(), at now: Date? = nil) -> [Data] {
        guard !alerts.isEmpty else { return [] }
        switch self {
        case .alertmanager:
            return [alertmanager.body(alerts, at: now ?? alerts.map(\.status.assessedAt).max() ?? Date())]
        case .slack:
            return alerts.map { Self.encode(["text": $0.slackText]) }
        case .json:
            return alerts.map { Self.encode(EventObject(event: $0.event, status: $0.status)) }
        }
    }

    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every value here is a string, number or array of them: encoding cannot fail.
        return (try? encoder.encode(value)) ?? Data()
    }
}

/// The plain JSON format: the `/certs` object with the event.
private struct EventObject: Encodable {
    var event: ExpiryAlert.Event
    var status: CertificateStatus

    private enum Key: String, CodingKey { case event }

    func encode(to encoder: any Encoder) throws {
        try self.status.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(self.event.rawValue, forKey: .event)
    }
}

extension ExpiryAlert {
    /// One line: which certificate, and what is wrong with it.
    public var summary: String {
        let what = self.certificateText
        if self.status.certificate.role.isRevocationList {
            return self.status.assessment.state == .notYetValid ? "The \(what) is not valid yet" : "The \(what) is stale"
        }
        switch self.status.assessment.state {
        case .expired: return "The \(what) has expired"
        case .notYetValid: return "The \(what) is not valid yet"
        case .ok, .warning: return "The \(what) expires in \(self.status.assessment.expiresIn.roughText)"
        }
    }

    /// `server certificate CN=…`: the role and the subject.
    private var certificateText: String {
        let certificate = self.status.certificate
        if certificate.role.isRevocationList { return "CRL of \(certificate.summary.issuer)" }
        return "\(certificate.role.rawValue) certificate \(certificate.summary.subject)"
    }

    /// The details an operator needs to find and renew the certificate.
    public var details: String {
        let certificate = self.status.certificate
        let summary = certificate.summary
        if certificate.role.isRevocationList {
            let number = summary.serial.isEmpty ? "" : "CRL number \(summary.serial), "
            return "\(number)issued \(summary.notBefore.rfc3339), next update due \(summary.notAfter.rfc3339), in \(certificate.path ?? "-")."
        }
        var text = "Serial \(summary.serial), issued by \(summary.issuer), valid from \(summary.notBefore.rfc3339) to \(summary.notAfter.rfc3339)"
        if let path = certificate.path { text += ", in \(path)" }
        text += "."
        if let threshold = self.status.assessment.threshold, self.status.assessment.state == .warning {
            text += " It is within the \(threshold.configurationText) threshold."
        }
        return text
    }

    /// The text of a Slack message.
    var slackText: String {
        switch self.event {
        case .firing: "[\(self.status.assessment.severity.rawValue.uppercased())] \(self.summary). \(self.details)"
        case .resolved:
            "[RESOLVED] The \(self.certificateText) (serial \(self.status.certificate.summary.serial)) was renewed or is no longer used."
        }
    }
}

extension Duration {
    /// Rounded to days, or to hours or minutes when less than a day: `5 days`, `1 day`, `3 hours`.
    var roughText: String {
        let seconds = max(0, self.components.seconds)
        let (count, unit): (Int64, String) =
            seconds >= 86_400 ? ((seconds + 43_200) / 86_400, "day")
            : seconds >= 3600 ? ((seconds + 1800) / 3600, "hour") : ((seconds + 30) / 60, "minute")
        return "\(count) \(unit)\(count == 1 ? "" : "s")"
    }
}
