import ArgumentParser
import Foundation
import SealgateCertificates

/// `sealgate certs check FILE... [--warn 30d] [--critical 7d] [--json]`: how long every certificate
/// of each PEM file has left, with Nagios exit codes.
struct CertsCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Show every certificate in PEM files and how long each has left.",
        discussion: """
            Exit status as a Nagios plugin: 0 all ok, 1 a certificate expires within --warn, 2 one expires \
            within --critical, has expired or is not valid yet, 3 a file could not be read or holds no \
            certificate (unless another is critical). The first line is a one-line summary.
            """
    )

    @Option(help: ArgumentHelp("Warn when a certificate has this long left.", valueName: "duration"), transform: Self.duration)
    var warn: Duration = .days(30)

    @Option(help: ArgumentHelp("Critical when a certificate has this long left.", valueName: "duration"), transform: Self.duration)
    var critical: Duration = .days(7)

    @Flag(help: "Print {\"certificates\": [...]} as /certs does, with an \"errors\" list for unreadable files.")
    var json = false

    @Argument(help: "PEM files (certificates and bundles).")
    var files: [String]

    func validate() throws {
        guard self.critical <= self.warn else {
            throw ValidationError("--critical (\(self.critical.configurationText)) must not be longer than --warn (\(self.warn.configurationText))")
        }
    }

    func run() throws {
        let check = CertificateCheck(files: self.files, thresholds: ExpiryThresholds([self.warn, self.critical]), at: Date())
        print(self.json ? check.json : check.text)
        throw ExitCode(check.exitStatus)
    }

    private static func duration(_ text: String) throws -> Duration {
        guard let duration = ConfigReader.parseDuration(text), duration > .zero else {
            throw ValidationError("\"\(text)\" is not a duration like 30d, 12h or 90m")
        }
        return duration
    }
}

/// The certificates of some PEM files assessed at one moment, and their Nagios rendering.
struct CertificateCheck {
    struct Unreadable: Encodable {
        var path: String
        var error: String
    }

    var statuses: [CertificateStatus] = []
    var unreadable: [Unreadable] = []

    init(files: [String], thresholds: ExpiryThresholds, at now: Date) {
        for path in files {
            do {
                let bundle = try CertificateBundle(path: path)
                self.statuses += try WatchedCertificate.all(in: bundle, role: .watched).map {
                    CertificateStatus($0, thresholds: thresholds, at: now)
                }
            } catch {
                self.unreadable.append(Unreadable(path: path, error: "\(error)"))
            }
        }
    }

    /// 2 for any critical certificate, else 3 for an unreadable file, else 1 for a warning, else 0.
    var exitStatus: Int32 {
        let severities = Set(self.statuses.map(\.assessment.severity))
        if severities.contains(.critical) { return 2 }
        if !self.unreadable.isEmpty { return 3 }
        return severities.contains(.warning) ? 1 : 0
    }

    /// The Nagios summary line, then each file's certificates.
    var text: String {
        var lines = [self.summaryLine]
        for error in self.unreadable { lines.append("\(error.path): \(error.error)") }
        var currentPath: String?
        for (index, status) in self.statuses.enumerated() {
            let certificate = status.certificate
            if certificate.path != currentPath {
                currentPath = certificate.path
                lines.append("\(certificate.path ?? "-"):")
            }
            let summary = certificate.summary
            let names = summary.dnsNames.map { "DNS:\($0)" } + summary.ipAddresses.map { "IP:\($0)" } + summary.uris.map { "URI:\($0)" }
            lines += [
                "  [\(index + 1)] \(summary.subject)",
                "      state:    \(Self.describe(status))",
                "      SANs:     \(names.isEmpty ? "none" : names.joined(separator: ", "))",
                "      issuer:   \(summary.issuer)",
                "      serial:   \(summary.serial)",
                "      sha256:   \(summary.sha256)",
                "      validity: \(summary.notBefore.rfc3339) to \(summary.notAfter.rfc3339)",
            ]
        }
        return lines.joined(separator: "\n")
    }

    var json: String {
        struct Document: Encodable {
            var certificates: [CertificateStatus]
            var errors: [Unreadable]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data = (try? encoder.encode(Document(certificates: self.statuses, errors: self.unreadable))) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private var summaryLine: String {
        let label = ["OK", "WARNING", "CRITICAL", "UNKNOWN"][Int(self.exitStatus)]
        let counts = Dictionary(grouping: self.statuses, by: \.assessment.severity).mapValues(\.count)
        var parts = ["\(self.statuses.count) certificate\(self.statuses.count == 1 ? "" : "s")"]
        if let critical = counts[.critical] { parts.append("\(critical) critical") }
        if let warning = counts[.warning] { parts.append("\(warning) warning") }
        if !self.unreadable.isEmpty { parts.append("\(self.unreadable.count) unreadable file\(self.unreadable.count == 1 ? "" : "s")") }
        var line = "CERTIFICATES \(label): \(parts.joined(separator: ", "))"
        if let first = self.statuses.min(by: { $0.certificate.summary.notAfter < $1.certificate.summary.notAfter }) {
            line += "; first to expire: \(first.certificate.summary.subject) in \(first.certificate.path ?? "-"), \(Self.describe(first))"
        }
        return line
    }

    private static func describe(_ status: CertificateStatus) -> String {
        let days = status.certificate.summary.notAfter.timeIntervalSince(status.assessedAt) / 86_400
        switch status.assessment.state {
        case .expired: return "expired \(String(format: "%.1f", -days)) days ago"
        case .notYetValid: return "not valid until \(status.certificate.summary.notBefore.rfc3339)"
        case .ok: return "ok, \(String(format: "%.1f", days)) days left"
        case .warning:
            return "\(status.assessment.severity.rawValue), \(String(format: "%.1f", days)) days left (within \(status.assessment.threshold?.configurationText ?? "?"))"
        }
    }
}
