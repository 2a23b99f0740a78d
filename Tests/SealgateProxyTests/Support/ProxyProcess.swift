import Foundation
import SealgateTestSupport

/// The real `sealgate run` process, with its JSON log captured to a file.
final class ProxyProcess: @unchecked Sendable {
    // @unchecked: the Process is started in init and only signalled afterwards.
    let port: Int
    let adminPort: Int?
    let logURL: URL
    private let process: Process

    /// Starts `sealgate run --config <directory>/sealgate.yaml` and waits until it listens and,
    /// with `waitForKeys`, until the keys of its field rules are loaded (as a readiness probe would).
    /// `environment` adds to the test process's environment.
    init(configuration: String, in directory: URL, waitForKeys: Bool = true, environment: [String: String] = [:]) async throws {
        let configURL = directory.appendingPathComponent("sealgate.yaml")
        try configuration.write(to: configURL, atomically: true, encoding: .utf8)
        self.logURL = directory.appendingPathComponent("sealgate.log")
        _ = FileManager.default.createFile(atPath: self.logURL.path, contents: nil)
        self.process = Process()
        self.process.executableURL = URL(fileURLWithPath: TestEnvironment.sealgateBinary)
        self.process.arguments = ["run", "--config", configURL.path]
        self.process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let log = try FileHandle(forWritingTo: self.logURL)
        self.process.standardError = log
        self.process.standardOutput = FileHandle.nullDevice
        try self.process.run()
        // The child has its own copy; Foundation's Process would keep this one open for good.
        try? log.close()
        let wantsAdmin = configuration.contains("admin:")
        let wantsKeys = waitForKeys && configuration.contains("encrypt:")
        for _ in 0..<400 {
            let entries = Self.entries(in: self.logURL)
            let listening = entries.first { $0["msg"] == "listening" }?["address"]
            let admin = entries.first { $0["msg"] == "admin listening" }?["address"]
            let keysLoaded = entries.contains { $0["msg"] == "keys loaded" }
            if let listening, !wantsAdmin || admin != nil, !wantsKeys || keysLoaded {
                self.port = Self.port(of: listening)
                self.adminPort = admin.map(Self.port)
                return
            }
            if !self.process.isRunning {
                let log = (try? String(contentsOf: self.logURL, encoding: .utf8)) ?? ""
                throw TestFailure("sealgate exited with \(self.process.terminationStatus): \(log)")
            }
            try await Task.sleep(for: .milliseconds(25))
        }
        kill(self.process.processIdentifier, SIGKILL)
        throw TestFailure("sealgate did not start listening")
    }

    /// The process id, for signals and /proc.
    var pid: Int32 { self.process.processIdentifier }
    var isRunning: Bool { self.process.isRunning }

    /// The JSON log lines written so far, values as strings (numbers as their JSON text).
    func logEntries() -> [[String: String]] { Self.entries(in: self.logURL) }

    /// Sends SIGHUP and waits up to 15 s for the key reload to fail, as it does when the KEK's server is gone;
    /// returns the failure's log entry.
    @discardableResult
    func failedKeyReload() async throws -> [String: String]? {
        kill(self.pid, SIGHUP)
        func failure() -> [String: String]? { self.logEntries().last { $0["msg"]?.hasPrefix("keys could not be loaded") == true } }
        for _ in 0..<150 where failure() == nil { try await Task.sleep(for: .milliseconds(100)) }
        return failure()
    }

    /// Peak resident memory in KiB (VmHWM), or current (VmRSS) when `peak` is false.
    func residentKiB(peak: Bool = true) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(self.pid)/status", encoding: .utf8) else { return nil }
        let key = peak ? "VmHWM:" : "VmRSS:"
        return status.split(separator: "\n").first { $0.hasPrefix(key) }
            .flatMap { Int($0.dropFirst(key.count).trimmingCharacters(in: .whitespaces).dropLast(3).trimmingCharacters(in: .whitespaces)) }
    }

    /// Sends a signal and waits for the exit status.
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(30)) async throws -> Int32 {
        if self.process.isRunning { kill(self.pid, signal) }
        let deadline = ContinuousClock.now + timeout
        while self.process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(self.pid, SIGKILL)
                throw TestFailure("sealgate did not exit within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return self.process.terminationStatus
    }

    deinit {
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
    }

    private static func port(of address: String) -> Int {
        Int(address.split(separator: ":").last ?? "") ?? 0
    }

    private static func entries(in url: URL) -> [[String: String]] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?.mapValues { "\($0)" }
        }
    }
}
