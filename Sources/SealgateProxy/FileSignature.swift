import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What identifies the current version of some files without reading them: inode, size and
/// modification time, following symlinks. A change in any shows that a file was replaced or
/// written, including the atomic symlink swap of a mounted Kubernetes Secret.
enum FileSignature {
    /// The signature of each file, in order; a missing file has its own.
    static func of(files: [String]) -> [String] {
        files.map { path in
            var info = stat()
            guard stat(path, &info) == 0 else { return "\(path):missing" }
            return "\(path):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
    }

    /// The signature of every file of a directory whose name ends in `suffix`, sorted by name.
    static func of(directory: String, suffix: String) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(suffix) }
        return Self.of(files: names.sorted().map { "\(directory)/\($0)" })
    }
}
