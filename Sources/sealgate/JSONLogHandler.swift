#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
// Where Foundation is also imported in the module, `timespec` and `tm` resolve through CoreFoundation's
// view of the C library, and member import visibility then wants that module named (release builds).
#if canImport(CoreFoundation)
import CoreFoundation
#endif
import Logging
import SealgateProxy

/// Writes each log message as one JSON line (`ts`, `level`, `logger`, `msg`, then metadata) to a
/// file descriptor with a single `write`, so concurrent lines never interleave. Metadata passed as
/// `.stringConvertible` integers, finite floating-point numbers and booleans are written as JSON
/// numbers and booleans (so `jq 'select(.status >= 400)'` works); everything else as a string.
struct JSONLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let fileDescriptor: Int32

    init(label: String, level: Logger.Level, fileDescriptor: Int32 = 2) {
        self.label = label
        self.logLevel = level
        self.fileDescriptor = fileDescriptor
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = "{\"ts\":\"\(Self.timestamp())\",\"level\":\"\(event.level)\",\"logger\":"
        line += JSONString.quote(self.label) + ",\"msg\":" + JSONString.quote("\(event.message)")
        var merged = self.metadata
        if let provided = self.metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += "," + JSONString.quote(key) + ":" + Self.json(value)
        }
        line += "}\n"
        FileDescriptorWriter.write(line, to: self.fileDescriptor)
    }

    /// A metadata value as JSON: a number or boolean for those types, else the quoted text.
    static func json(_ value: Logger.MetadataValue) -> String {
        guard case .stringConvertible(let convertible) = value else { return JSONString.quote("\(value)") }
        switch convertible {
        case let boolean as Bool: return boolean ? "true" : "false"
        case let integer as any BinaryInteger: return "\(integer)"
        case let number as any BinaryFloatingPoint where number.isFinite: return "\(number)"
        default: return JSONString.quote(convertible.description)
        }
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }
}
