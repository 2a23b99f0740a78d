import Foundation

/// What identifies the current version of some files without reading them: inode, size and
/// modification time, following symlinks. A change in any shows that a file was replaced or
/// written, including the atomic symlink swap of a mounted Kubernetes Secret.
enum FileSignature {
    /// The signature of each file, in order; a missing file has its own.
    static func of(files: [String]) -> [String] {
        files.map { path in
            let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: target) else { return "\(path):missing" }
            let inode = attributes[.systemFileNumber].map { "\($0)" } ?? "?"
            let size = attributes[.size].map { "\($0)" } ?? "?"
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(path):\(target):\(inode):\(size):\(modified)"
        }
    }

    /// The signature of every file of a directory whose name ends in `suffix`, sorted by name.
    static func of(directory: String, suffix: String) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(suffix) }
        return Self.of(files: names.sorted().map { "\(directory)/\($0)" })
    }
}
