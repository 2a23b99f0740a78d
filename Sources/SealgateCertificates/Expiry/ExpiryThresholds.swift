import Foundation

/// Where a certificate stands against the expiry thresholds at one moment.
public enum CertificateState: String, Sendable, Hashable, CaseIterable {
    /// Valid, and not within any threshold of its end.
    case ok
    /// Valid, but within a threshold of its end.
    case warning
    /// Past its end of validity.
    case expired
    /// Before its start of validity.
    case notYetValid = "not_yet_valid"
}

/// How urgent a certificate's state is: what alert receivers route on.
public enum AlertSeverity: String, Sendable, Hashable {
    case none
    case warning
    case critical
}

/// A certificate's state at one moment, with the smallest threshold it has crossed.
public struct ExpiryAssessment: Sendable, Hashable {
    public var state: CertificateState
    /// The smallest threshold crossed; for an expired certificate the smallest of all.
    public var threshold: Duration?
    /// Time left until the end of validity; negative once expired.
    public var expiresIn: Duration
    public var severity: AlertSeverity
}

/// The thresholds before expiry at which sealgate warns, such as 30, 14 and 7 days.
public struct ExpiryThresholds: Sendable, Hashable {
    /// The thresholds, largest first.
    public let thresholds: [Duration]

    /// The thresholds 30d, 14d and 7d.
    public static let `default` = ExpiryThresholds([.days(30), .days(14), .days(7)])

    /// - Parameter thresholds: positive durations before the end of validity, in any order.
    public init(_ thresholds: [Duration]) {
        self.thresholds = Array(Set(thresholds.filter { $0 > .zero })).sorted(by: >)
    }

    /// The state of a certificate valid from `notBefore` to `notAfter`, seen at `now`.
    public func assess(notBefore: Date, notAfter: Date, at now: Date) -> ExpiryAssessment {
        let left = Duration.seconds(notAfter.timeIntervalSince(now))
        if now < notBefore {
            return ExpiryAssessment(state: .notYetValid, threshold: nil, expiresIn: left, severity: .critical)
        }
        if left <= .zero {
            return ExpiryAssessment(state: .expired, threshold: self.thresholds.last, expiresIn: left, severity: .critical)
        }
        guard let crossed = self.thresholds.last(where: { left <= $0 }) else {
            return ExpiryAssessment(state: .ok, threshold: nil, expiresIn: left, severity: .none)
        }
        let severity: AlertSeverity = crossed == self.thresholds.last ? .critical : .warning
        return ExpiryAssessment(state: .warning, threshold: crossed, expiresIn: left, severity: severity)
    }

    /// The state of a summarized certificate at `now`.
    public func assess(_ certificate: CertificateSummary, at now: Date) -> ExpiryAssessment {
        self.assess(notBefore: certificate.notBefore, notAfter: certificate.notAfter, at: now)
    }
}

extension Duration {
    /// A whole number of days.
    public static func days(_ days: Int) -> Duration { .seconds(days * 86_400) }

    /// The duration in the configuration's notation, in the largest unit that divides it: `7d`, `12h`, `90s`.
    public var configurationText: String {
        let milliseconds = self.components.seconds * 1000 + self.components.attoseconds / 1_000_000_000_000_000
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] where milliseconds % size == 0 {
            return "\(milliseconds / size)\(unit)"
        }
        return "\(milliseconds)ms"
    }
}
