import CoreMetrics
import SealgateCrypto

/// A KEK whose every use is counted and timed: `sealgate_kek_operations_total{provider,operation,result}`
/// and `sealgate_kek_operation_duration_seconds{provider}`, so that a KMS or HSM that slows down or
/// fails shows on the dashboards before keys are needed again.
public struct InstrumentedKeyEncryptionKey: KeyEncryptionKeyProvider {
    private let base: any KeyEncryptionKeyProvider
    private let provider: String

    /// - Parameters:
    ///   - base: the KEK.
    ///   - provider: its provider's name (`local`, `aws-kms`), the metrics' label.
    public init(_ base: any KeyEncryptionKeyProvider, provider: String) {
        self.base = base
        self.provider = provider
        // Every operation and result at 0 from the start, so that the first failure shows in increase().
        for operation in ["encrypt", "decrypt"] {
            for result in ["success", "failure"] { _ = Self.counter(provider: provider, operation: operation, result: result) }
        }
    }

    public func encrypt(_ plaintext: [UInt8], associatedData: [UInt8]) async throws -> [UInt8] {
        try await self.measure("encrypt") { try await self.base.encrypt(plaintext, associatedData: associatedData) }
    }

    public func decrypt(_ ciphertext: [UInt8], associatedData: [UInt8]) async throws -> [UInt8] {
        try await self.measure("decrypt") { try await self.base.decrypt(ciphertext, associatedData: associatedData) }
    }

    public func keysetAssociatedData(name: String) -> [UInt8] { self.base.keysetAssociatedData(name: name) }

    public var description: String { self.base.description }

    private func measure(_ operation: String, _ body: () async throws -> [UInt8]) async throws -> [UInt8] {
        let started = ContinuousClock.now
        var result = "success"
        defer {
            Timer(label: "sealgate_kek_operation_duration_seconds", dimensions: [("provider", self.provider)], preferredDisplayUnit: .seconds)
                .recordNanoseconds(Int64((ContinuousClock.now - started) / .nanoseconds(1)))
            Self.counter(provider: self.provider, operation: operation, result: result).increment()
        }
        do {
            return try await body()
        } catch {
            result = "failure"
            throw error
        }
    }

    private static func counter(provider: String, operation: String, result: String) -> Counter {
        Counter(label: "sealgate_kek_operations_total", dimensions: [("provider", provider), ("operation", operation), ("result", result)])
    }
}
