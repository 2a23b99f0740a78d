import NIOConcurrencyHelpers

/// Whether the proxy should receive traffic: `/readyz` answers 200 only with no reasons against.
public final class Readiness: Sendable {
    private let reasons = NIOLockedValueBox<Set<String>>(["starting"])

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
}
