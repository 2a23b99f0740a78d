import ArgumentParser
import Foundation
import SealgateCertificates

/// `sealgate certs check FILE... [-w 30d] [-c 7d] [--json]`: how long every certificate of each PEM
/// file has left, with Nagios exit codes and performance data.
struct CertsCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Show every certificate in PEM files and how long each has left.",
        discussion: """
            Exit status as a Nagios plugin: 0 all ok, 1 a certificate expires within --warn, 2 one expires \
            within --critical, has expired or is not valid yet, 3 a file could not be read or holds no \
            certificate (unless another is critical), or the command line is wrong. The first line is a \
            one-line summary followed by performance data: 'days_left_<name>'=<days>d;<warn>;<critical> \
            for each certificate, <name> being the file name without its extension (with _2, _3, ... for \
            the further certificates of a bundle).
            """
    )

    @Option(
        name: [.customShort("w"), .long],
        help: ArgumentHelp("Warn when a certificate has this long left (30d, 36h, or a number of days).", valueName: "duration")
    )
    var warn = ThresholdArgument(.days(30))

    @Option(
        name: [.customShort("c"), .long],
        help: ArgumentHelp("Critical when a certificate has this long left (7d, 36h, or a number of days).", valueName: "duration")
    )
    var critical = ThresholdArgument(.days(7))

    @Flag(help: "Print {\"certificates\": [...]} as /certs does, with an \"errors\" list for unreadable files.")
    var json = false

    @Argument(help: "PEM files (certificates and bundles).")
    var files: [String]

    func validate() throws {
        guard self.critical.duration <= self.warn.duration else {
            throw ValidationError(
                "--critical (\(self.critical.duration.configurationText)) must not be longer than --warn (\(self.warn.duration.configurationText))"
            )
        }
    }

    func run() throws {
        let check = CertificateCheck(
            files: self.files, thresholds: ExpiryThresholds([self.warn.duration, self.critical.duration]), at: Date()
        )
        print(self.json ? check.json : check.text(performanceData: (self.warn.days, self.critical.days)))
        throw ExitCode(check.exitStatus)
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

    /// The Nagios summary line with the performance data of `thresholds` (in days), then each file's certificates.
    func text(performanceData thresholds: (warning: Double, critical: Double)) -> String {
        let performance = zip(self.performanceLabels, self.statuses).map { label, status in
            let days = status.certificate.summary.notAfter.timeIntervalSince(status.assessedAt) / 86_400
            return "'days_left_\(label)'=\(String(format: "%.1f", days))d;\(Self.number(thresholds.warning));\(Self.number(thresholds.critical))"
        }
        var lines = [self.summaryLine + (performance.isEmpty ? "" : " | " + performance.joined(separator: " "))]
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

    /// A performance data label per certificate: the file name without its extension, characters other than
    /// letters, digits, `.`, `_` and `-` as `_`; the second and further certificates of a file, and files
    /// of the same name, get `_2`, `_3`, ...
    private var performanceLabels: [String] {
        var used: Set<String> = []
        var perFile: [String: Int] = [:]
        return self.statuses.map { status in
            let path = status.certificate.path ?? "certificate"
            let file = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            let base = String(file.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) ? $0 : "_" })
            perFile[path, default: 0] += 1
            var label = perFile[path] == 1 ? base : "\(base)_\(perFile[path] ?? 0)"
            var suffix = 2
            while used.contains(label) {
                label = "\(base)_\(suffix)"
                suffix += 1
            }
            used.insert(label)
            return label
        }
    }

    /// `30` for 30, `1.5` for 1.5.
    private static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
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
