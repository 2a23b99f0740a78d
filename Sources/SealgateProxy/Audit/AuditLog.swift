import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The audit log: one JSON object per line for each ``AuditEvent``, on standard error or appended to a file.
///
/// Each line carries `ts` (RFC 3339 UTC, milliseconds), `event`, the event's fields, `actor` (`<user>@<host>`)
/// and `tool`. A file is opened when the log is created, append-only and mode 0600 if new, so that a command that
/// cannot audit fails before it acts; with `O_APPEND`, lines of concurrent writers do not interleave. Nothing in a
/// line is a plaintext value or key material.
public struct AuditLog: Sendable {
    /// Where the lines go.
    public enum Destination: Sendable, Hashable {
        /// Standard error, shared with other diagnostics.
        case standardError
        /// A file, created if needed and only ever appended to.
        case file(String)

        /// A destination as configured by `log.audit`: `stderr` or a file path.
        /// - Parameters:
        ///   - configured: `stderr` or a file path.
        public init(configured: String) {
            self = configured == "stderr" ? .standardError : .file(configured)
        }
    }

    /// Where the lines go.
    public let destination: Destination
    /// Who acts, written as `actor`.
    public let actorName: String
    /// The program that acts, written as `tool`, such as `sealgate keys`.
    public let tool: String
    private let handle: FileHandle

    /// Opens the audit log.
    /// - Parameters:
    ///   - destination: Where the lines go.
    ///   - tool: The program that acts, such as `sealgate keys`.
    ///   - actorName: Who acts; by default ``currentActor()``.
    /// - Throws: ``AuditLogError`` if the file cannot be opened for appending.
    public init(destination: Destination, tool: String, actorName: String = AuditLog.currentActor())
        throws(AuditLogError)
    {
        switch destination {
        case .standardError:
            handle = FileHandle.standardError
        case .file(let path):
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else {
                throw AuditLogError("cannot open the audit log \(path): \(String(cString: strerror(errno)))")
            }
            handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        }
        self.destination = destination
        self.tool = tool
        self.actorName = actorName
    }

    /// Writes one event as a JSON line.
    /// - Parameters:
    ///   - event: What happened.
    ///   - time: When it happened; now by default.
    /// - Throws: ``AuditLogError`` if the line cannot be written.
    public func record(_ event: AuditEvent, at time: Date = Date()) throws(AuditLogError) {
        do {
            try handle.write(contentsOf: Data(event.jsonLine(time: time, actorName: actorName, tool: tool).utf8))
        } catch {
            throw AuditLogError("cannot write the audit log \(self): \(error.localizedDescription)")
        }
    }

    /// `<user>@<host>` of this process: the effective user's login name (or uid) and the host name.
    public static func currentActor() -> String {
        let user = getpwuid(geteuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } } ?? "uid \(geteuid())"
        var host = [CChar](repeating: 0, count: 256)
        let hostName =
            gethostname(&host, host.count) == 0
            ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : "unknown-host"
        return "\(user)@\(hostName)"
    }
}

extension AuditLog: CustomStringConvertible {
    /// `stderr` or the file path.
    public var description: String {
        switch destination {
        case .standardError: "stderr"
        case .file(let path): path
        }
    }
}
