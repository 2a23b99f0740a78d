import CoreMetrics
import Foundation
import SealgateCertificates

/// The certificate gauges, set from the certificates as they are at a scrape: for every watched
/// certificate `sealgate_certificate_expiration_timestamp_seconds`, `…_not_before_timestamp_seconds`,
/// `…_expires_in_seconds` and `sealgate_certificate_info` (with `issuer`), labelled role, subject,
/// serial and path; `sealgate_certificate_file_errors{path}` 1 for each unreadable watched file; for each revocation
/// list `sealgate_crl_next_update_timestamp_seconds{path,issuer}`. Gauges of a certificate, list or file no longer
/// seen are removed.
final class CertificateGauges {
    private struct Labels: Hashable {
        var role: String
        var subject: String
        var serial: String
        var path: String

        var dimensions: [(String, String)] { [("role", self.role), ("subject", self.subject), ("serial", self.serial), ("path", self.path)] }
    }

    private struct Gauges {
        var expiration: Gauge
        var notBefore: Gauge
        var expiresIn: Gauge
        var info: Gauge

        init(_ labels: Labels, issuer: String) {
            self.expiration = Gauge(label: "sealgate_certificate_expiration_timestamp_seconds", dimensions: labels.dimensions)
            self.notBefore = Gauge(label: "sealgate_certificate_not_before_timestamp_seconds", dimensions: labels.dimensions)
            self.expiresIn = Gauge(label: "sealgate_certificate_expires_in_seconds", dimensions: labels.dimensions)
            self.info = Gauge(label: "sealgate_certificate_info", dimensions: labels.dimensions + [("issuer", issuer)])
        }

        func destroy() { [self.expiration, self.notBefore, self.expiresIn, self.info].forEach { $0.destroy() } }
    }

    private struct ListLabels: Hashable {
        var path: String
        var issuer: String
    }

    /// The name of the revocation lists' gauge.
    static let nextUpdate = "sealgate_crl_next_update_timestamp_seconds"

    private var gauges: [Labels: Gauges] = [:]
    private var fileErrors: [String: Gauge] = [:]
    private var nextUpdates: [ListLabels: Gauge] = [:]

    /// Sets the gauges to `statuses` and `unreadable` (watched file paths), removing the others.
    func update(_ statuses: [CertificateStatus], unreadable: [String]) {
        var current: Set<Labels> = []
        var currentLists: Set<ListLabels> = []
        for status in statuses {
            let certificate = status.certificate
            let summary = certificate.summary
            if certificate.role.isRevocationList {
                let labels = ListLabels(path: certificate.path ?? "", issuer: summary.issuer)
                guard currentLists.insert(labels).inserted else { continue }
                let gauge = self.nextUpdates[labels] ?? Gauge(label: Self.nextUpdate, dimensions: [("path", labels.path), ("issuer", labels.issuer)])
                self.nextUpdates[labels] = gauge
                gauge.record(summary.notAfter.timeIntervalSince1970)
                continue
            }
            let labels = Labels(role: certificate.role.rawValue, subject: summary.subject, serial: summary.serial, path: certificate.path ?? "")
            guard current.insert(labels).inserted else { continue }
            let gauges = self.gauges[labels] ?? Gauges(labels, issuer: summary.issuer)
            self.gauges[labels] = gauges
            gauges.expiration.record(summary.notAfter.timeIntervalSince1970)
            gauges.notBefore.record(summary.notBefore.timeIntervalSince1970)
            gauges.expiresIn.record(summary.notAfter.timeIntervalSince(status.assessedAt))
            gauges.info.record(1)
        }
        for (labels, gauges) in self.gauges where !current.contains(labels) {
            gauges.destroy()
            self.gauges[labels] = nil
        }
        for (labels, gauge) in self.nextUpdates where !currentLists.contains(labels) {
            gauge.destroy()
            self.nextUpdates[labels] = nil
        }
        for path in unreadable where self.fileErrors[path] == nil {
            let gauge = Gauge(label: "sealgate_certificate_file_errors", dimensions: [("path", path)])
            gauge.record(1)
            self.fileErrors[path] = gauge
        }
        for (path, gauge) in self.fileErrors where !unreadable.contains(path) {
            gauge.destroy()
            self.fileErrors[path] = nil
        }
    }
}
