import ArgumentParser
import SealgateCertificates

/// A `certs check` threshold: a duration like `30d`, `36h` or `90m`, or a bare number of days (`30`),
/// as Nagios users write `-w 30 -c 7`.
struct ThresholdArgument: ExpressibleByArgument {
    var duration: Duration

    init(_ duration: Duration) {
        self.duration = duration
    }

    init?(argument: String) {
        if let days = Double(argument), days > 0, days.isFinite {
            self.duration = .milliseconds(Int64((days * 86_400_000).rounded()))
        } else if let duration = ConfigReader.parseDuration(argument), duration > .zero {
            self.duration = duration
        } else {
            return nil
        }
    }

    /// The threshold in days, as the performance data gives it.
    var days: Double { Double(self.duration.components.seconds) / 86_400 + Double(self.duration.components.attoseconds) / 86_400e18 }

    var defaultValueDescription: String { self.duration.configurationText }
}
