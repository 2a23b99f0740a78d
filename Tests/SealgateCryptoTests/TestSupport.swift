import Foundation
import Testing

@testable import SealgateCrypto

extension Array where Element == UInt8 {
    /// Bytes from hex digits; spaces are ignored.
    init(hex: String) {
        let digits = Array(hex.filter { !$0.isWhitespace }.utf8)
        self = stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    var hex: String {
        map { String(format: "%02x", $0) }.joined()
    }
}

/// A fresh empty directory, removed after `body`.
func withTemporaryDirectory<Result>(_ body: (String) async throws -> Result) async throws -> Result {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sealgate-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// The POSIX permission bits of a file.
func permissions(_ path: String) throws -> Int {
    try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
}

/// Expects `body` to throw a `SealgateCryptoError` with `code`.
func expectError<Result>(
    _ code: SealgateCryptoError.Code,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Result
) async {
    do {
        _ = try await body()
        Issue.record("expected \(code), got no error", sourceLocation: sourceLocation)
    } catch let error as SealgateCryptoError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
