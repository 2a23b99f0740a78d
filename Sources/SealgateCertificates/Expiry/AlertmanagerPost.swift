import Foundation

/// How alerts are posted to Alertmanager's v2 API, as Prometheus does: every firing alert again and
/// again, with its first `startsAt` and an `endsAt` a few posts ahead, so that Alertmanager keeps it
/// firing until sealgate stops posting it; `endsAt` set to the time of the resolve only when the
/// certificate is fine.
public struct AlertmanagerPost: Sendable, Hashable {
    /// Added to every alert's labels (`monitor.labels`).
    public var labels: [String: String]
    /// The link from Alertmanager back to sealgate: the admin listener's `/certs`.
    public var generatorURL: String?
    /// How far ahead of the post a firing alert's `endsAt` lies.
    public var endsIn: Duration

    /// - Parameters:
    ///   - labels: added to every alert's labels.
    ///   - generatorURL: the admin listener's `/certs`, if any.
    ///   - endsIn: how far ahead `endsAt` lies: a few times the interval between posts.
    public init(labels: [String: String] = [:], generatorURL: String? = nil, endsIn: Duration = .seconds(240)) {
        self.labels = labels
        self.generatorURL = generatorURL
        self.endsIn = endsIn
    }

    /// The JSON array of `alerts` posted at `now`: firing ones end `endsIn` later, resolved ones at their `endsAt`.
    public func body(_ alerts: [ExpiryAlert], at now: Date) -> Data {
        AlertFormat.encode(alerts.map { AlertmanagerAlert($0, post: self, endsAt: $0.endsAt ?? now.addingTimeInterval(self.endsIn.seconds)) })
    }
}

/// One alert as Alertmanager's v2 API takes it.
private struct AlertmanagerAlert: Encodable {
    var labels: [String: String]
    var annotations: [String: String]
    var startsAt: String
    var endsAt: String
    var generatorURL: String?

    init(_ alert: ExpiryAlert, post: AlertmanagerPost, endsAt: Date) {
        let certificate = alert.status.certificate
        var labels = post.labels
        labels["alertname"] = alert.name
        labels["severity"] = alert.status.assessment.severity.rawValue
        labels["role"] = certificate.role.rawValue
        labels["subject"] = certificate.summary.subject
        labels["serial"] = certificate.summary.serial
        labels["path"] = certificate.path
        labels["threshold"] = alert.status.assessment.threshold?.configurationText
        self.labels = labels
        self.annotations = ["summary": alert.summary, "description": alert.details]
        self.startsAt = alert.startsAt.rfc3339
        self.endsAt = endsAt.rfc3339
        self.generatorURL = post.generatorURL
    }
}
