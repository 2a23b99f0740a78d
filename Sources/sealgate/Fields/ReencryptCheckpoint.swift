import Foundation

/// Where an interrupted NDJSON `reencrypt` stopped, and which input it read: saved as JSON in
/// `<destination>.reencrypt.progress`, so that a later run resumes only onto the same input.
struct ReencryptCheckpoint: Codable, Equatable {
    /// The input's absolute path.
    var input: String
    /// Lines done.
    var lines: Int
    /// Input bytes those lines took, newlines included.
    var inputBytes: UInt64
    /// SHA-256 of those input bytes, hex: the part consumed, which a resumed run must find unchanged.
    var inputSHA256: String
    /// Bytes written to the temporary output for them.
    var writtenBytes: UInt64

    enum CodingKeys: String, CodingKey {
        case input
        case lines
        case inputBytes = "input_bytes"
        case inputSHA256 = "input_sha256"
        case writtenBytes = "written_bytes"
    }

    /// The checkpoint at `path`; nil when there is none. A file that is not a checkpoint is an error, not a fresh start.
    static func load(_ path: String) throws(CommandFailure) -> ReencryptCheckpoint? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let checkpoint = try? JSONDecoder().decode(ReencryptCheckpoint.self, from: data) else {
            throw CommandFailure("\(path) is not a reencrypt checkpoint; run with --restart to start over")
        }
        return checkpoint
    }

    /// Writes the checkpoint atomically.
    func save(_ path: String) throws(CommandFailure) {
        let staging = "\(path).tmp"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(self), FileManager.default.createFile(atPath: staging, contents: data + [0x0a]),
            rename(staging, path) == 0
        else { throw CommandFailure("cannot write \(path)") }
    }
}
