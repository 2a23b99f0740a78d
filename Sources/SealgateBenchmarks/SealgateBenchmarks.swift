import Foundation
import NIOCore
import SealgateCrypto
import SealgateJSON

/// `swift run -c release SealgateBenchmarks [WORD...]`: prints one table of sealgate's field-encryption throughput
/// next to `openssl speed` and a Python baseline. With words, runs only the rows whose names contain one of them
/// (for profiling a single row). `SealgateBenchmarks floor-proxy ...` runs the ``FloorProxy`` instead, and
/// `relay-proxy ...` the ``RelayProxy``. See
/// Benchmarks/README.md.
@main
enum SealgateBenchmarks {
    /// One row of the table: its name and how to measure it.
    private struct Row {
        let name: String
        let measure: () throws -> String
    }

    static func main() throws {
        switch CommandLine.arguments.dropFirst().first {
        case "floor-proxy": return try FloorProxy.run(Array(CommandLine.arguments.dropFirst(2)))
        case "relay-proxy": return try RelayProxy.run(Array(CommandLine.arguments.dropFirst(2)))
        default: break
        }
        let filters = CommandLine.arguments.dropFirst().map { $0.lowercased() }
        let rows = try Self.rows().filter { row in filters.isEmpty || filters.contains { row.name.lowercased().contains($0) } }
        let width = rows.map(\.name.count).max() ?? 0
        print("benchmark".padding(toLength: width, withPad: " ", startingAt: 0) + "  result")
        for row in rows {
            print(row.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + (try row.measure()))
        }
    }

    private static func rows() throws -> [Row] {
        let gcm = try FieldCipher(keyName: "pii", keyset: .generate(.aes256GCM))
        let siv = try FieldCipher(keyName: "search", keyset: .generate(.aes256SIV))
        var rows: [Row] = []

        let largePaths = try BenchmarkDocuments.largePaths.map { try JSONPath($0) }
        // As the proxy streams a body: 16 KiB chunks, each rewritten into a new output buffer.
        let chunkSize = 16 << 10
        let chunks = stride(from: 0, to: BenchmarkDocuments.large.count, by: chunkSize).map { start in
            ByteBuffer(bytes: BenchmarkDocuments.large[start..<min(start + chunkSize, BenchmarkDocuments.large.count)])
        }
        rows.append(
            Row(name: "rewriter, 1 MB document in 16 KiB chunks, 2 matches (MB/s)") {
                let seal = { (value: MatchedValue) throws -> JSONStreamRewriter.Replacement in
                    .bytes(Array("\"\(try gcm.seal(plaintext: try value.canonicalJSON(), rulePath: "$.ssn"))\"".utf8))
                }
                let rewrite = try Measurement.secondsPerCall {
                    var rewriter = JSONStreamRewriter(paths: largePaths)
                    var written = 0
                    for chunk in chunks {
                        var input = chunk
                        var output = ByteBuffer()
                        output.reserveCapacity(chunk.readableBytes + 64)
                        try rewriter.feed(&input, into: &output, transform: seal)
                        written += output.readableBytes
                    }
                    var output = ByteBuffer()
                    try rewriter.finish(into: &output, transform: seal)
                    return written + output.readableBytes
                }
                return format(Double(BenchmarkDocuments.large.count) / 1_000_000 / rewrite)
            }
        )

        let field = Array(#""123-45-6789""#.utf8)
        for (name, cipher) in [("aes256-gcm", gcm), ("aes256-siv", siv)] {
            let token = try cipher.seal(plaintext: field, rulePath: "$.ssn")
            rows.append(
                Row(name: "encrypt one small field, \(name) (ns)") {
                    format(try Measurement.secondsPerCall { try cipher.seal(plaintext: field, rulePath: "$.ssn").utf8.count } * 1e9)
                }
            )
            rows.append(
                Row(name: "decrypt one small field, \(name) (ns)") {
                    format(try Measurement.secondsPerCall { try cipher.open(token: token, rulePath: "$.ssn").count } * 1e9)
                }
            )
        }

        // Compiled once, as the proxy compiles a route's rules once per configuration.
        let smallPaths = JSONStreamRewriter.CompiledPaths(try BenchmarkDocuments.smallPaths.map { try JSONPath($0) })
        let documentsPerSecond = {
            let document = try Measurement.secondsPerCall {
                try JSONStreamRewriter.rewrite(BenchmarkDocuments.small, paths: smallPaths) { value in
                    let rulePath = BenchmarkDocuments.smallPaths[value.ruleIndex]
                    return .bytes(Array("\"\(try gcm.seal(plaintext: try value.canonicalJSON(), rulePath: rulePath))\"".utf8))
                }.count
            }
            return 1 / document
        }
        var sealgateDocuments: Double?
        rows.append(
            Row(name: "sealgate, \(BenchmarkDocuments.small.count)-byte document, 3 fields aes256-gcm (docs/s)") {
                let measured = try documentsPerSecond()
                sealgateDocuments = measured
                return format(measured)
            }
        )

        // `openssl speed` runs once for both of its rows.
        var openSSLSpeed: (block16: Double, block256: Double)??
        let openSSL = {
            if openSSLSpeed == nil { openSSLSpeed = Baselines.openSSL() }
            return openSSLSpeed ?? nil
        }
        rows.append(
            Row(name: "openssl speed aes-256-gcm, 16-byte blocks (ns per block)") {
                openSSL().map { format(16 / $0.block16 * 1e9) } ?? "openssl not found"
            }
        )
        rows.append(
            Row(name: "openssl speed aes-256-gcm, 256-byte blocks (MB/s)") {
                openSSL().map { format($0.block256 / 1e6) } ?? "openssl not found"
            }
        )
        let fieldNames = BenchmarkDocuments.smallPaths.map { String($0.dropFirst(2)) }
        var pythonDocuments: Double?
        rows.append(
            Row(name: "Python cryptography + json, same document (docs/s)") {
                pythonDocuments = Baselines.python(document: BenchmarkDocuments.small, fields: fieldNames)
                return pythonDocuments.map(format) ?? "python3 with cryptography not found"
            }
        )
        rows.append(
            Row(name: "ratio sealgate / Python") {
                guard let python = pythonDocuments else { return "-" }
                return format(try (sealgateDocuments ?? documentsPerSecond()) / python) + "x"
            }
        )
        return rows
    }

    private static func format(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String((value * 10).rounded() / 10)
    }
}
