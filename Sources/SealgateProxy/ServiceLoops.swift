import ServiceLifecycle
import UnixSignals

/// Runs two loops side by side until graceful shutdown or cancellation: one that reacts to
/// `events` (SIGHUP, requests for a reload) and one that polls. The shape every reloading
/// service here shares.
/// - Parameters:
///   - events: each element runs `onEvent` once.
///   - onEvent: the reaction to one event.
///   - poll: a loop that sleeps between its rounds; it ends when cancelled.
func runUntilShutdown<Events: AsyncSequence & Sendable>(
    reactingTo events: Events,
    _ onEvent: @escaping @Sendable () async -> Void,
    polling poll: @escaping @Sendable () async throws -> Void
) async where Events.Element: Sendable {
    try? await cancelWhenGracefulShutdown {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await _ in events { await onEvent() }
            }
            group.addTask { try await poll() }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// The SIGHUPs this process receives, for ``runUntilShutdown(reactingTo:_:polling:)``.
func hangups() async -> UnixSignalsSequence {
    await UnixSignalsSequence(trapping: .sighup)
}
