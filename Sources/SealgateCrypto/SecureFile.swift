#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// POSIX file operations for secrets: private reads, atomic mode-0600 writes, directory locks.
public enum SecureFile {
    /// Reads a whole file.
    /// - Parameters:
    ///   - path: The file.
    ///   - requirePrivate: Refuse the file if group or others have any permission on it.
    /// - Returns: The contents, or nil if there is no such file.
    public static func readFile(_ path: String, requirePrivate: Bool) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT {
                return nil
            }
            throw failure("cannot open \(path)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw failure("cannot stat \(path)")
        }
        if requirePrivate, info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw SealgateCryptoError(
                .insecureFilePermissions,
                "it is accessible by group or others (mode 0\(mode)); run: chmod 600 \(path)"
            )
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR {
                continue
            }
            guard count >= 0 else {
                throw failure("cannot read \(path)")
            }
            guard count > 0 else {
                return bytes
            }
            bytes.append(contentsOf: buffer[..<count])
        }
    }

    /// Writes a file with mode 0600 atomically: a temporary file in the same directory is written and fsynced,
    /// then renamed over `path` (or, when not `replacing`, linked to `path`, which fails if it exists), and the
    /// directory is fsynced.
    static func writeFile(_ bytes: [UInt8], to path: String, replacing: Bool) throws {
        let directory = directoryName(path)
        let temporary = "\(directory)/.\(baseName(path)).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw failure("cannot create \(temporary)")
        }
        defer { unlink(temporary) }
        do {
            defer { close(fd) }
            guard fchmod(fd, 0o600) == 0 else {
                throw failure("cannot chmod \(temporary)")
            }
            var written = 0
            while written < bytes.count {
                let count = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR {
                    continue
                }
                guard count > 0 else {
                    throw failure("cannot write \(temporary)")
                }
                written += count
            }
            guard fsync(fd) == 0 else {
                throw failure("cannot fsync \(temporary)")
            }
        }
        if replacing {
            guard rename(temporary, path) == 0 else {
                throw failure("cannot rename \(temporary) to \(path)")
            }
        } else if link(temporary, path) != 0 {
            if errno == EEXIST {
                throw SealgateCryptoError(.keyAlreadyExists, "\(path) already exists")
            }
            throw failure("cannot create \(path)")
        }
        try syncDirectory(directory)
    }

    /// Removes a file and fsyncs its directory.
    /// - Returns: false if there was no such file.
    static func removeFile(_ path: String) throws -> Bool {
        guard unlink(path) == 0 else {
            if errno == ENOENT {
                return false
            }
            throw failure("cannot remove \(path)")
        }
        try syncDirectory(directoryName(path))
        return true
    }

    /// Creates a directory with mode 0700 unless it exists.
    static func createDirectory(_ path: String) throws {
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
            throw failure("cannot create directory \(path)")
        }
    }

    /// Runs `body` holding an exclusive `flock` on `<directory>/.lock`, waiting for other holders.
    static func withExclusiveLock<Result>(
        in directory: String,
        _ body: () async throws -> Result
    ) async throws -> Result {
        let path = "\(directory)/.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw failure("cannot open lock file \(path)")
        }
        defer { close(fd) }
        // Poll rather than block, so that waiting never holds a thread of the concurrency pool.
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw failure("cannot lock \(path)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return try await body()
    }

    private static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw failure("cannot open directory \(path)")
        }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            throw failure("cannot fsync directory \(path)")
        }
    }

    private static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else {
            return "."
        }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func baseName(_ path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }

    /// An error for the failed system call, with errno's text.
    private static func failure(_ what: String, errorNumber: Int32 = errno) -> SealgateCryptoError {
        SealgateCryptoError(.fileSystem, "\(what): \(String(cString: strerror(errorNumber)))")
    }
}
