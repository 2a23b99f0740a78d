import Foundation

/// The figures sealgate is compared with: `openssl speed` and a Python `cryptography` script.
enum Baselines {
    /// `openssl speed -evp aes-256-gcm`: bytes per second for 16- and 256-byte blocks, or `nil` without `openssl`.
    static func openSSL() -> (block16: Double, block256: Double)? {
        guard let output = run("openssl", ["speed", "-seconds", "1", "-evp", "aes-256-gcm"]) else { return nil }
        // The last line: "AES-256-GCM  <16>k  <64>k  <256>k  <1024>k ...", in thousands of bytes per second.
        guard let line = output.split(separator: "\n").last(where: { $0.lowercased().hasPrefix("aes-256-gcm") })
        else { return nil }
        let rates = line.split(separator: " ").compactMap { Double($0.dropLast()) }
        guard rates.count >= 3 else { return nil }
        return (rates[0] * 1000, rates[2] * 1000)
    }

    /// Documents per second of `Benchmarks/python_baseline.py` on `document`, or `nil` without Python
    /// `cryptography`.
    static func python(document: [UInt8], fields: [String]) -> Double? {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Benchmarks/python_baseline.py").path
        let output = run("python3", [script] + fields, input: Data(document))
        return output.flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The standard output of a successful run of `command`, found on the `PATH`.
    private static func run(_ command: String, _ arguments: [String], input: Data = Data()) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        let (stdin, stdout) = (Pipe(), Pipe())
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        try? stdin.fileHandleForWriting.write(contentsOf: input)
        try? stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
