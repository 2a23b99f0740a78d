import Foundation

/// One notification about a certificate's expiry: raised, repeated, or resolved.
public struct ExpiryAlert: Sendable, Hashable {
    public enum Event: String, Sendable, Hashable {
        case firing
        case resolved
    }

    public var event: Event
    /// The certificate's status that raised the alert; for a resolve, the last one that did.
    public var status: CertificateStatus
    /// When the certificate entered the alert's state (kept across repeats).
    public var startsAt: Date
    /// When the alert was resolved; nil while firing.
    public var endsAt: Date?
    /// For a resolve: whether the certificate in that place is fine now (renewed, or valid at last), rather
    /// than gone or replaced by one that alerts too. Only then is Alertmanager told that the alert ended.
    public var certificateIsFine: Bool

    public init(event: Event, status: CertificateStatus, startsAt: Date, endsAt: Date? = nil, certificateIsFine: Bool = false) {
        self.event = event
        self.status = status
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.certificateIsFine = certificateIsFine
    }

    /// `SealgateCertificateExpiring`, `SealgateCertificateExpired` or `SealgateCertificateNotYetValid`; for a
    /// revocation list `SealgateCRLStale` (past its nextUpdate) or `SealgateCRLNotYetValid` (thisUpdate ahead).
    public var name: String {
        if self.status.certificate.role.isRevocationList {
            return self.status.assessment.state == .notYetValid ? "SealgateCRLNotYetValid" : "SealgateCRLStale"
        }
        return switch self.status.assessment.state {
        case .expired: "SealgateCertificateExpired"
        case .notYetValid: "SealgateCertificateNotYetValid"
        case .ok, .warning: "SealgateCertificateExpiring"
        }
    }
}

/// Decides which alerts to send, scan after scan: one per certificate and threshold crossed, a
/// repeat at the next threshold or after the repeat interval, and a resolve once the certificate
/// is renewed (gone from its place or back to `ok`).
///
/// Certificates are told apart by role, path and fingerprint, so a renewal, which puts a new
/// certificate in the same file, resolves the old certificate's alert.
public struct ExpiryAlertTracker: Sendable {
    private struct Key: Hashable {
        var role: CertificateRole
        var path: String?
        var sha256: String
    }

    /// The part of a state that, when it changes, makes a new alert.
    private enum Stage: Hashable {
        case threshold(Duration)
        case expired
        case notYetValid
    }

    private struct Active {
        var stage: Stage
        var status: CertificateStatus
        var startsAt: Date
        var lastSent: Date
    }

    /// How long a firing alert stays quiet before it is sent again at the same threshold.
    public let repeatInterval: Duration
    private var active: [Key: Active] = [:]

    public init(repeatInterval: Duration) {
        self.repeatInterval = repeatInterval
    }

    /// The number of certificates with a firing alert.
    public var firingCount: Int { self.active.count }

    /// Every alert firing now, oldest first, each with the `startsAt` it first fired with: what
    /// Alertmanager is told again and again while it lasts.
    public var firing: [ExpiryAlert] {
        self.active.values.sorted { ($0.startsAt, $0.status.certificate.summary.sha256) < ($1.startsAt, $1.status.certificate.summary.sha256) }
            .map { ExpiryAlert(event: .firing, status: $0.status, startsAt: $0.startsAt) }
    }

    /// Takes the statuses of every watched certificate at `now` and returns the alerts to send:
    /// firing ones in the order of `statuses`, then resolves.
    public mutating func update(_ statuses: [CertificateStatus], at now: Date) -> [ExpiryAlert] {
        var alerts: [ExpiryAlert] = []
        var stillFiring: Set<Key> = []
        for status in statuses {
            let key = Self.key(of: status)
            guard let stage = Self.stage(of: status.assessment), stillFiring.insert(key).inserted else { continue }
            if var current = self.active[key], current.stage == stage {
                current.status = status
                if now.timeIntervalSince(current.lastSent) >= self.repeatInterval.seconds {
                    current.lastSent = now
                    alerts.append(ExpiryAlert(event: .firing, status: status, startsAt: current.startsAt))
                }
                self.active[key] = current
            } else {
                self.active[key] = Active(stage: stage, status: status, startsAt: now, lastSent: now)
                alerts.append(ExpiryAlert(event: .firing, status: status, startsAt: now))
            }
        }
        let resolved = self.active.filter { !stillFiring.contains($0.key) }.sorted { $0.value.startsAt < $1.value.startsAt }
        for (key, active) in resolved {
            self.active[key] = nil
            let fine = statuses.contains { Self.isFine($0, inPlaceOf: key) }
            alerts.append(ExpiryAlert(event: .resolved, status: active.status, startsAt: active.startsAt, endsAt: now, certificateIsFine: fine))
        }
        return alerts
    }

    /// Whether `status` is the certificate of `key`, or one in the same file and role, and is `ok`.
    private static func isFine(_ status: CertificateStatus, inPlaceOf key: Key) -> Bool {
        guard status.assessment.state == .ok, status.certificate.role == key.role else { return false }
        let sameCertificate = status.certificate.summary.sha256 == key.sha256 && status.certificate.path == key.path
        return sameCertificate || (key.path != nil && status.certificate.path == key.path)
    }

    private static func key(of status: CertificateStatus) -> Key {
        Key(role: status.certificate.role, path: status.certificate.path, sha256: status.certificate.summary.sha256)
    }

    private static func stage(of assessment: ExpiryAssessment) -> Stage? {
        switch assessment.state {
        case .warning: assessment.threshold.map(Stage.threshold)
        case .expired: .expired
        case .notYetValid: .notYetValid
        case .ok: nil
        }
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double { Double(self.components.seconds) + Double(self.components.attoseconds) / 1e18 }
}
