import ArgumentParser

/// A `--rotation-period` value: a positive duration such as `90d` or `12h`.
struct RotationPeriod: ExpressibleByArgument {
    let duration: Duration

    init?(argument: String) {
        guard let duration = ConfigReader.parseDuration(argument), duration >= .seconds(1) else { return nil }
        self.duration = duration
    }

    static var defaultValueDescription: String { "none" }
}
