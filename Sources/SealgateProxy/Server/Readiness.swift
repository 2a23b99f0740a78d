import NIOConcurrencyHelpers

/// Whether the proxy should receive traffic: `/readyz` answers 200 only with no reasons against.
/// Warnings say what is degraded without stopping traffic (keys kept after a failed reload).
public final class Readiness: Sendable {
    private let reasons = NIOLockedValueBox<Set<String>>(["starting"])
    private let warnings = NIOLockedValueBox<[String: String]>([:])

    public init() {}

    /// Adds a reason not to be ready (`starting`, `shutting_down`, `keys_unavailable`, …).
    public func block(_ reason: String) {
        self.reasons.withLockedValue { _ = $0.insert(reason) }
    }

    /// Removes a reason.
    public func unblock(_ reason: String) {
        self.reasons.withLockedValue { _ = $0.remove(reason) }
    }

    /// The reasons currently against readiness, sorted; empty when ready.
    public var blockingReasons: [String] { self.reasons.withLockedValue { $0.sorted() } }

    /// Sets the warning of one subject (`keys`, …), replacing its previous one.
    public func warn(_ subject: String, _ message: String) {
        self.warnings.withLockedValue { $0[subject] = message }
    }

    /// Removes the warning of one subject.
    public func clearWarning(_ subject: String) {
        self.warnings.withLockedValue { _ = $0.removeValue(forKey: subject) }
    }

    /// The current warnings, by subject.
    public var currentWarnings: [String] { self.warnings.withLockedValue { $0.sorted { $0.key < $1.key }.map(\.value) } }
}
