#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The standard `process_*` metrics of the Prometheus client libraries, read from `/proc/self` at
/// each scrape: CPU time, resident and virtual memory, open and maximum file descriptors, start time.
public enum ProcessMetrics {
    /// The families in Prometheus text format, or an empty string where `/proc` is unavailable.
    public static func exposition() -> String {
        #if os(Linux)
        guard let stat = Self.read("/proc/self/stat"), let close = stat.lastIndex(of: ")") else { return "" }
        // The fields after the command name, which may hold spaces, start with field 3 (state).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 21, let utime = Double(fields[11]), let stime = Double(fields[12]),
            let startTicks = Double(fields[19]), let virtual = Double(fields[20]), let pages = Double(fields[21])
        else { return "" }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let bootTime = Self.read("/proc/stat")?.split(separator: "\n").first { $0.hasPrefix("btime ") }
            .flatMap { Double($0.dropFirst(6)) } ?? 0
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let families: [(String, String, String, Double)] = [
            ("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.", (utime + stime) / ticks),
            ("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", pages * Double(sysconf(Int32(_SC_PAGESIZE)))),
            ("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", virtual),
            ("process_open_fds", "gauge", "Number of open file descriptors.", Double(Self.openDescriptors())),
            ("process_max_fds", "gauge", "Maximum number of open file descriptors.", Double(limit.rlim_cur)),
            ("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.", bootTime + startTicks / ticks),
        ]
        return families.map { name, type, help, value in
            "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }.joined()
        #else
        return ""
        #endif
    }

    #if os(Linux)
    /// The entries of `/proc/self/fd`, less the one the listing itself opens.
    private static func openDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != 0x2E { count += 1 }  // not "." or ".."
        }
        return count - 1
    }

    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
    #endif
}
