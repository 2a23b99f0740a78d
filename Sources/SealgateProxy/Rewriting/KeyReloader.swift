import Logging
import ServiceLifecycle

/// Keeps the ``KeyRing`` current: loads the keys at start (retrying with backoff; not ready until
/// then), and again whenever a file of the vault changes or SIGHUP arrives. A failed reload keeps
/// the last good keys, logs the error and counts it.
///
/// Changes are found by polling the vault's `*.json` files (following symlinks), which also sees the
/// atomic symlink swaps of a mounted Kubernetes Secret.
public actor KeyReloader: Service {
    /// Loads every key the rules name; throws if any cannot be loaded.
    public typealias Loader = @Sendable () async throws -> FieldKeys

    private let vaultDirectory: String
    private let load: Loader
    private let keyRing: KeyRing
    private let readiness: Readiness
    private let metrics: ProxyMetrics
    private let logger: Logger
    private let pollInterval: Duration
    private var loadedSignature: [String]?

    /// - Parameters:
    ///   - vaultDirectory: the vault to watch.
    ///   - keyRing: receives each loaded set.
    ///   - readiness: blocked with `keys_unavailable` until the first load succeeds.
    ///   - metrics: counts reloads by result (both at 0 from the start).
    ///   - logger: reports loads and failures.
    ///   - pollInterval: how often the vault's files are checked.
    ///   - load: reads and unwraps the keys.
    public init(
        vaultDirectory: String,
        keyRing: KeyRing,
        readiness: Readiness,
        metrics: ProxyMetrics,
        logger: Logger,
        pollInterval: Duration = .seconds(2),
        load: @escaping Loader
    ) {
        self.vaultDirectory = vaultDirectory
        self.keyRing = keyRing
        self.readiness = readiness
        self.metrics = metrics
        self.logger = logger
        self.pollInterval = pollInterval
        self.load = load
        readiness.block("keys_unavailable")
        metrics.declareKeyReloads()
    }

    public func run() async throws {
        await runUntilShutdown(reactingTo: await hangups(), { await self.reload(reason: "SIGHUP") }) {
            var backoff = Duration.seconds(1)
            while true {
                let loaded = await self.reloadIfChanged()
                if loaded {
                    backoff = .seconds(1)
                    try await Task.sleep(for: self.pollInterval)
                } else {
                    try await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(30))
                }
            }
        }
    }

    /// Reloads when the vault's files differ from those last loaded; true when keys are loaded.
    private func reloadIfChanged() async -> Bool {
        let signature = FileSignature.of(directory: self.vaultDirectory, suffix: ".json")
        if signature != self.loadedSignature { await self.reload(reason: self.loadedSignature == nil ? "start" : "vault changed") }
        return self.loadedSignature != nil
    }

    private func reload(reason: String) async {
        let signature = FileSignature.of(directory: self.vaultDirectory, suffix: ".json")
        do {
            let keys = try await self.load()
            self.keyRing.replace(with: keys)
            self.loadedSignature = signature
            self.readiness.unblock("keys_unavailable")
            self.readiness.clearWarning("keys")
            self.metrics.keysReloaded(success: true)
            self.logger.info("keys loaded", metadata: ["reason": "\(reason)", "keys": "\(keys.summary)"])
        } catch {
            self.metrics.keysReloaded(success: false)
            if self.loadedSignature != nil {
                self.readiness.warn("keys", "the last key reload (\(reason)) failed, so the keys loaded before stay in use: \(error)")
            }
            self.logger.error(
                "keys could not be loaded; \(self.loadedSignature == nil ? "routes with field rules answer 503" : "keeping the previous keys")",
                metadata: ["reason": "\(reason)", "error": "\(error)", "vault": "\(self.vaultDirectory)"]
            )
        }
    }
}
