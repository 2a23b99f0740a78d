import Dispatch
import SealgateProxy

/// Rewrites a batch of NDJSON lines on several threads at once; results come back in input order, each line's
/// rewritten bytes (without its newline) and tokens re-sealed, or the error of the first failing line.
struct ParallelLineRewrite {
    /// How many threads share a batch.
    let jobs: Int

    /// One rewritten line.
    struct Rewritten {
        var bytes: [UInt8]
        var tokens: Int
    }

    /// Rewrites `lines` with `fields`.
    /// - Returns: one result per line, in order.
    func rewrite(_ lines: [[UInt8]], with fields: FieldRewriter) -> [Result<Rewritten, any Error>] {
        var results = [Result<Rewritten, any Error>?](repeating: nil, count: lines.count)
        let workers = Swift.min(self.jobs, lines.count)
        results.withUnsafeMutableBufferPointer { slots in
            // Each worker takes every `workers`-th line: disjoint slots, so no two threads write the same one, and the
            // buffer outlives concurrentPerform, which returns only when every worker is done.
            nonisolated(unsafe) let base = slots.baseAddress
            DispatchQueue.concurrentPerform(iterations: Swift.max(workers, 1)) { worker in
                for index in stride(from: worker, to: lines.count, by: Swift.max(workers, 1)) {
                    var counts = FieldRewriter.Counts()
                    let result = Result { () throws -> Rewritten in
                        let bytes = try fields.rewrite(document: lines[index], counts: &counts)
                        return Rewritten(bytes: bytes, tokens: counts.rewritten.values.reduce(0, +))
                    }
                    (base! + index).initialize(to: result)
                }
            }
        }
        return results.map { $0! }
    }
}
