import CoreMetrics
import Foundation
import SealgateCertificates

/// `sealgate_certificate_expiration_timestamp_seconds` and `sealgate_certificate_expires_in_seconds`
/// for every watched certificate, labelled role, subject, serial and path; the gauges of a
/// certificate no longer watched are removed.
final class CertificateGauges {
    private struct Labels: Hashable {
        var role: String
        var subject: String
        var serial: String
        var path: String

        var dimensions: [(String, String)] { [("role", self.role), ("subject", self.subject), ("serial", self.serial), ("path", self.path)] }
    }

    private var gauges: [Labels: (expiration: Gauge, expiresIn: Gauge)] = [:]

    func update(_ statuses: [CertificateStatus]) {
        var current: Set<Labels> = []
        for status in statuses {
            let certificate = status.certificate
            let labels = Labels(
                role: certificate.role.rawValue,
                subject: certificate.summary.subject,
                serial: certificate.summary.serial,
                path: certificate.path ?? ""
            )
            guard current.insert(labels).inserted else { continue }
            let gauges = self.gauges[labels] ?? (
                Gauge(label: "sealgate_certificate_expiration_timestamp_seconds", dimensions: labels.dimensions),
                Gauge(label: "sealgate_certificate_expires_in_seconds", dimensions: labels.dimensions)
            )
            self.gauges[labels] = gauges
            gauges.expiration.record(certificate.summary.notAfter.timeIntervalSince1970)
            gauges.expiresIn.record(certificate.summary.notAfter.timeIntervalSince(status.assessedAt))
        }
        for (labels, gauges) in self.gauges where !current.contains(labels) {
            gauges.expiration.destroy()
            gauges.expiresIn.destroy()
            self.gauges[labels] = nil
        }
    }
}
