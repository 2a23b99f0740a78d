/// Timing loops for the benchmark: each runs its body repeatedly for about two seconds.
enum Measurement {
    /// Seconds per call of `body`, after a short warm-up: the median of `samples` windows of about `seconds` each, so
    /// that one slow stretch of a shared machine does not decide the figure.
    static func secondsPerCall(samples: Int = 5, seconds: Double = 0.4, _ body: () throws -> Int) rethrows -> Double {
        let clock = ContinuousClock()
        var sink = 0
        for _ in 0..<10 { sink &+= try body() }
        var perCall: [Double] = []
        for _ in 0..<samples {
            // Each window grows its own batches from one call, so that a slow body's windows stay near `seconds`.
            var batch = 1
            var calls = 0
            let start = clock.now
            var elapsed = 0.0
            while elapsed < seconds {
                for _ in 0..<batch { sink &+= try body() }
                calls += batch
                batch = min(batch * 2, 1 << 16)
                elapsed = Self.seconds(clock.now - start)
            }
            perCall.append(elapsed / Double(calls))
        }
        Self.keep(sink)
        return perCall.sorted()[samples / 2]
    }

    /// A duration in seconds.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    /// Keeps the optimizer from dropping the work that produced `value`.
    @inline(never)
    private static func keep(_ value: Int) {
        if value == 0x5EA1_6A7E { print("") }
    }
}
