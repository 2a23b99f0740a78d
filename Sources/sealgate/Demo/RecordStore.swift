import Foundation

/// The demo backend's storage: one JSON record per line in a file, each given an `id` when stored, so
/// what reaches the backend (the tokens) can be looked at with `cat`.
actor RecordStore {
    let path: String

    init(path: String) {
        self.path = path
    }

    /// Every stored record, oldest first.
    func all() throws -> [String] {
        guard FileManager.default.fileExists(atPath: self.path) else { return [] }
        return try String(contentsOfFile: self.path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// The record whose id is `id`.
    func record(id: Int) throws -> String? {
        let records = try self.all()
        return records.indices.contains(id - 1) ? records[id - 1] : nil
    }

    /// Stores a JSON object with the next id as its first member and returns the stored line, or nil
    /// when `body` is not a JSON object.
    func append(_ body: String) throws -> String? {
        // A raw line break cannot occur inside a JSON string, so joining lines keeps the document intact.
        let text = body.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("{"), text.hasSuffix("}"),
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) is [String: Any]
        else { return nil }
        let rest = text.dropFirst().trimmingCharacters(in: .whitespaces)
        let line = "{\"id\": \(try self.all().count + 1)\(rest == "}" ? "" : ", ")\(rest)"
        if !FileManager.default.fileExists(atPath: self.path) {
            _ = FileManager.default.createFile(atPath: self.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: self.path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((line + "\n").utf8))
        return line
    }
}
