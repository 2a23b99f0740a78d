/// Timing loops for the benchmark: each runs its body repeatedly for about a second.
enum Measurement {
    /// Seconds per call of `body`, after a short warm-up, averaged over about `seconds` of calls.
    static func secondsPerCall(for seconds: Double = 1, _ body: () throws -> Int) rethrows -> Double {
        let clock = ContinuousClock()
        var sink = 0
        for _ in 0..<10 { sink &+= try body() }
        var calls = 0
        var batch = 1
        let start = clock.now
        var elapsed = 0.0
        while elapsed < seconds {
            for _ in 0..<batch { sink &+= try body() }
            calls += batch
            batch = min(batch * 2, 1 << 16)
            elapsed = Self.seconds(clock.now - start)
        }
        Self.keep(sink)
        return elapsed / Double(calls)
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
