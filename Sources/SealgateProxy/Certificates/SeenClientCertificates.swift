import Foundation
import NIOConcurrencyHelpers
import SealgateCertificates

/// The client certificates seen in handshakes, by fingerprint, so that their expiry is watched too.
///
/// Memory is bounded: at most `capacity` certificates, the least recently seen forgotten first; a
/// certificate is also forgotten once it has not been seen for `forgetAfter`. An expired one is kept
/// until then, so that its expiry is reported rather than looking like a renewal.
public final class SeenClientCertificates: Sendable {
    private struct Entry {
        var summary: CertificateSummary
        var lastSeen: Date
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    private let capacity: Int
    private let forgetAfter: Duration
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - capacity: the most certificates remembered.
    ///   - forgetAfter: a certificate not seen for this long is forgotten.
    ///   - now: the clock.
    public init(capacity: Int = 10_000, forgetAfter: Duration = .days(7), now: @escaping @Sendable () -> Date = Date.init) {
        self.capacity = capacity
        self.forgetAfter = forgetAfter
        self.now = now
    }

    /// Notes a verified client certificate; parsed only the first time its fingerprint is seen.
    /// - Parameters:
    ///   - sha256: the lower-case hex SHA-256 of `derBytes`.
    ///   - derBytes: the leaf certificate.
    func record(sha256: String, derBytes: @autoclosure () -> [UInt8]) {
        let now = self.now()
        let known = self.entries.withLockedValue { entries in
            entries[sha256]?.lastSeen = now
            return entries[sha256] != nil
        }
        guard !known, let summary = try? CertificateSummary(derBytes: derBytes()) else { return }
        self.entries.withLockedValue { entries in
            if entries.count >= self.capacity, let oldest = entries.min(by: { $0.value.lastSeen < $1.value.lastSeen }) {
                entries[oldest.key] = nil
            }
            entries[sha256] = Entry(summary: summary, lastSeen: now)
        }
    }

    /// The certificates still remembered, forgetting those not seen for too long.
    public var certificates: [WatchedCertificate] {
        let now = self.now()
        let oldest = now.addingTimeInterval(-Double(self.forgetAfter.components.seconds))
        return self.entries.withLockedValue { entries in
            entries = entries.filter { $0.value.lastSeen >= oldest }
            return entries.values.sorted { $0.summary.notAfter < $1.summary.notAfter }.map {
                WatchedCertificate(role: .clientSeen, path: nil, summary: $0.summary)
            }
        }
    }
}
