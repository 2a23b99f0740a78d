/// A benchmark command called with the wrong arguments.
struct BenchmarkUsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
