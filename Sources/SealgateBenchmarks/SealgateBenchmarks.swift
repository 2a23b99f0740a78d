import Foundation
import SealgateCrypto
import SealgateJSON

/// `swift run -c release SealgateBenchmarks`: prints one table of sealgate's field-encryption throughput next to
/// `openssl speed` and a Python baseline. See Benchmarks/README.md.
@main
enum SealgateBenchmarks {
    static func main() throws {
        let gcm = try FieldCipher(keyName: "pii", keyset: .generate(.aes256GCM))
        let siv = try FieldCipher(keyName: "search", keyset: .generate(.aes256SIV))
        var rows: [(String, String)] = []

        let largePaths = try BenchmarkDocuments.largePaths.map { try JSONPath($0) }
        let rewrite = try Measurement.secondsPerCall {
            try JSONStreamRewriter.rewrite(BenchmarkDocuments.large, paths: largePaths) { value in
                .bytes(Array("\"\(try gcm.seal(plaintext: try value.canonicalJSON(), rulePath: "$.ssn"))\"".utf8))
            }.count
        }
        let megabytes = Double(BenchmarkDocuments.large.count) / 1_000_000
        rows.append(("rewriter, 1 MB document, 2 matches (MB/s)", format(megabytes / rewrite)))

        let field = Array(#""123-45-6789""#.utf8)
        for (name, cipher) in [("aes256-gcm", gcm), ("aes256-siv", siv)] {
            let token = try cipher.seal(plaintext: field, rulePath: "$.ssn")
            let seal = try Measurement.secondsPerCall { try cipher.seal(plaintext: field, rulePath: "$.ssn").utf8.count }
            let open = try Measurement.secondsPerCall { try cipher.open(token: token, rulePath: "$.ssn").count }
            rows.append(("encrypt one small field, \(name) (ns)", format(seal * 1e9)))
            rows.append(("decrypt one small field, \(name) (ns)", format(open * 1e9)))
        }

        let smallPaths = try BenchmarkDocuments.smallPaths.map { try JSONPath($0) }
        let document = try Measurement.secondsPerCall {
            try JSONStreamRewriter.rewrite(BenchmarkDocuments.small, paths: smallPaths) { value in
                let rulePath = BenchmarkDocuments.smallPaths[value.ruleIndex]
                return .bytes(Array("\"\(try gcm.seal(plaintext: try value.canonicalJSON(), rulePath: rulePath))\"".utf8))
            }.count
        }
        let documentsPerSecond = 1 / document
        rows.append(("sealgate, \(BenchmarkDocuments.small.count)-byte document, 3 fields aes256-gcm (docs/s)", format(documentsPerSecond)))

        if let openSSL = Baselines.openSSL() {
            rows.append(("openssl speed aes-256-gcm, 16-byte blocks (ns per block)", format(16 / openSSL.block16 * 1e9)))
            rows.append(("openssl speed aes-256-gcm, 256-byte blocks (MB/s)", format(openSSL.block256 / 1e6)))
        } else {
            rows.append(("openssl speed aes-256-gcm", "openssl not found"))
        }
        let fieldNames = BenchmarkDocuments.smallPaths.map { String($0.dropFirst(2)) }
        if let python = Baselines.python(document: BenchmarkDocuments.small, fields: fieldNames) {
            rows.append(("Python cryptography + json, same document (docs/s)", format(python)))
            rows.append(("ratio sealgate / Python", format(documentsPerSecond / python) + "x"))
        } else {
            rows.append(("Python cryptography + json", "python3 with cryptography not found"))
        }

        let width = rows.map(\.0.count).max() ?? 0
        print("benchmark".padding(toLength: width, withPad: " ", startingAt: 0) + "  result")
        for (name, value) in rows {
            print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
    }

    private static func format(_ value: Double) -> String {
        value >= 100 ? String(Int(value.rounded())) : String((value * 10).rounded() / 10)
    }
}
