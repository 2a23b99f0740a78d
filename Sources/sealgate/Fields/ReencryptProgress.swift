/// Progress of a `reencrypt` run on standard error: at most once per second while it works, and a summary. With the
/// inputs' total size known, each line also says how far the run is and about how long it has left.
struct ReencryptProgress {
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastReport: ContinuousClock.Instant
    /// The inputs' total size in bytes, when known.
    private let totalBytes: UInt64?
    /// Input bytes read so far (lines skipped on resume included).
    private var consumedBytes: UInt64 = 0
    /// Documents (JSON files or NDJSON lines) rewritten.
    private(set) var documents = 0
    /// Tokens re-sealed with a primary key.
    private(set) var tokens = 0

    init(totalBytes: UInt64? = nil) {
        self.started = self.clock.now
        self.lastReport = self.started
        self.totalBytes = totalBytes
    }

    /// Counts input bytes read.
    mutating func consumed(bytes: Int) {
        self.consumedBytes += UInt64(bytes)
    }

    /// Counts one document of `file` and reports if a second has passed since the last report.
    mutating func document(of file: String, tokens: Int) {
        self.documents += 1
        self.tokens += tokens
        let now = self.clock.now
        if now - self.lastReport >= .seconds(1) {
            self.lastReport = now
            printToStandardError("reencrypt: \(file): \(self.line(at: now))\(self.remaining(at: now))")
        }
    }

    /// Reports the whole run.
    func summarize() {
        printToStandardError("reencrypt: done: \(self.line(at: self.clock.now))")
    }

    private func seconds(since start: ContinuousClock.Instant, _ now: ContinuousClock.Instant) -> Double {
        let elapsed = now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    private func line(at now: ContinuousClock.Instant) -> String {
        let seconds = self.seconds(since: self.started, now)
        let rate = seconds > 0 ? Int(Double(self.documents) / seconds) : self.documents
        return "\(self.documents) documents, \(self.tokens) tokens re-sealed, \(rate) documents/s"
    }

    /// `, 42% of 1.2 GB, about 3m10s left` when the total is known.
    private func remaining(at now: ContinuousClock.Instant) -> String {
        guard let total = self.totalBytes, total > 0 else { return "" }
        let fraction = min(1, Double(self.consumedBytes) / Double(total))
        let seconds = self.seconds(since: self.started, now)
        var text = ", \(Int(fraction * 100))% of \(Self.size(total))"
        if fraction > 0 {
            let left = Int(seconds / fraction - seconds)
            text += ", about " + (left >= 60 ? "\(left / 60)m\(left % 60)s" : "\(left)s") + " left"
        }
        return text
    }

    private static func size(_ bytes: UInt64) -> String {
        for (unit, scale) in [("GB", 1e9), ("MB", 1e6), ("KB", 1e3)] where Double(bytes) >= scale {
            let value = Double(bytes) / scale
            return value >= 10 ? "\(Int(value)) \(unit)" : "\(Double(Int(value * 10)) / 10) \(unit)"
        }
        return "\(bytes) bytes"
    }
}
