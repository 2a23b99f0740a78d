/// Progress of a `reencrypt` run on standard error: at most once per second while it works, and a summary.
struct ReencryptProgress {
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var lastReport: ContinuousClock.Instant
    /// Documents (JSON files or NDJSON lines) rewritten.
    private(set) var documents = 0
    /// Tokens re-sealed with a primary key.
    private(set) var tokens = 0

    init() {
        self.started = self.clock.now
        self.lastReport = self.started
    }

    /// Counts one document of `file` and reports if a second has passed since the last report.
    mutating func document(of file: String, tokens: Int) {
        self.documents += 1
        self.tokens += tokens
        let now = self.clock.now
        if now - self.lastReport >= .seconds(1) {
            self.lastReport = now
            printToStandardError("reencrypt: \(file): \(self.line(at: now))")
        }
    }

    /// Reports the whole run.
    func summarize() {
        printToStandardError("reencrypt: done: \(self.line(at: self.clock.now))")
    }

    private func line(at now: ContinuousClock.Instant) -> String {
        let elapsed = now - self.started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let rate = seconds > 0 ? Int(Double(self.documents) / seconds) : self.documents
        return "\(self.documents) documents, \(self.tokens) tokens re-sealed, \(rate) documents/s"
    }
}
