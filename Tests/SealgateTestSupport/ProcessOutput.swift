import Foundation

/// The outcome of a finished child process.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var standardOutput: Data
    public var standardError: Data

    public var stdout: String { String(decoding: self.standardOutput, as: UTF8.self) }
    public var stderr: String { String(decoding: self.standardError, as: UTF8.self) }
}
