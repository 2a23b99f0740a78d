import Foundation

/// Runs a program to completion without blocking the test's thread, and kills it (SIGKILL: children inherit the test
/// runner's blocked SIGTERM) after `timeout`.
/// - Parameters:
///   - executable: an absolute path, or a name looked up on PATH.
///   - input: the child's standard input (through a file, so that it always sees its end); none by default.
///   - directory: the child's working directory; the test process's by default.
public func runProcess(
    _ executable: String,
    _ arguments: [String],
    input: Data? = nil,
    in directory: String? = nil,
    timeout: Duration = .seconds(60)
) async throws -> ProcessOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let scratch = try TestEnvironment.makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("out")
    let errURL = scratch.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    var handles = [try FileHandle(forWritingTo: outURL), try FileHandle(forWritingTo: errURL)]
    // Closed here once the child has its own copies: Foundation's Process keeps them open otherwise, and a suite that
    // leaked a few per child reached over 1,300 descriptors, where Process.run() itself crashes (an over-read while
    // listing /proc/self/fd, swift-corelibs-foundation#5472).
    defer { handles.forEach { try? $0.close() } }
    process.standardOutput = handles[0]
    process.standardError = handles[1]
    if let input {
        // A file rather than a pipe: the child then always sees end-of-input.
        let inURL = scratch.appendingPathComponent("in")
        try input.write(to: inURL)
        handles.append(try FileHandle(forReadingFrom: inURL))
        process.standardInput = handles[2]
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do {
            try process.run()
        } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
            return
        }
        let deadline = DispatchTime.now() + .milliseconds(Int(timeout.components.seconds * 1000))
        DispatchQueue.global().asyncAfter(deadline: deadline) { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    }
    return ProcessOutput(
        status: status,
        standardOutput: (try? Data(contentsOf: outURL)) ?? Data(),
        standardError: (try? Data(contentsOf: errURL)) ?? Data()
    )
}
