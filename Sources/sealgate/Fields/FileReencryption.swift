import Foundation
import SealgateProxy

/// One file of a `reencrypt` run: written to `<destination>.reencrypt.tmp`, checkpointed (NDJSON) in
/// `<destination>.reencrypt.progress` as `<lines done> <bytes written>`, and renamed over the destination once
/// complete.
struct FileReencryption {
    var input: String
    var destination: String
    var ndjson: Bool
    var checkpointEvery: Int

    private var temporary: String { "\(destination).reencrypt.tmp" }
    private var checkpoint: String { "\(destination).reencrypt.progress" }

    /// Rewrites the file, resuming from its checkpoint if there is one.
    /// - Throws: ``CommandFailure`` naming the file, the line and the rule path of a token that fails.
    func run(_ fields: FieldRewriter, progress: inout ReencryptProgress) throws {
        guard let reading = FileHandle(forReadingAtPath: input) else {
            throw CommandFailure("cannot read \(input)")
        }
        defer { try? reading.close() }
        let resumed = self.resumePoint()
        if resumed == nil {
            let mode = (try? FileManager.default.attributesOfItem(atPath: input)[.posixPermissions]) ?? 0o600
            guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: mode])
            else { throw CommandFailure("cannot write \(temporary)") }
        }
        guard let writing = FileHandle(forWritingAtPath: temporary) else {
            throw CommandFailure("cannot write \(temporary)")
        }
        defer { try? writing.close() }
        if ndjson {
            try self.rewriteLines(reading, into: writing, from: resumed ?? (0, 0), fields, &progress)
        } else {
            var counts = FieldRewriter.Counts()
            let document = Array(try reading.readToEnd() ?? Data())
            do {
                try writing.truncate(atOffset: 0)
                try writing.write(contentsOf: try fields.rewrite(document: document, counts: &counts))
            } catch {
                throw CommandFailure("\(input): \(ErrorText.describe(error))")
            }
            progress.document(of: input, tokens: counts.rewritten.values.reduce(0, +))
        }
        try writing.synchronize()
        guard rename(temporary, destination) == 0 else {
            throw CommandFailure("cannot rename \(temporary) to \(destination)")
        }
        try? FileManager.default.removeItem(atPath: checkpoint)
    }

    private func rewriteLines(
        _ reading: FileHandle,
        into writing: FileHandle,
        from resumed: (lines: Int, bytes: UInt64),
        _ fields: FieldRewriter,
        _ progress: inout ReencryptProgress
    ) throws {
        try writing.truncate(atOffset: resumed.bytes)
        var reader = LineReader(reading)
        var (number, written) = (0, resumed.bytes)
        while let (line, terminated) = try reader.next() {
            number += 1
            guard number > resumed.lines else { continue }
            var counts = FieldRewriter.Counts()
            let rewritten: [UInt8]
            do {
                rewritten = try fields.rewrite(document: line, counts: &counts)
            } catch {
                throw CommandFailure("\(input):\(number): \(ErrorText.describe(error)) (run again to resume from the checkpoint)")
            }
            let bytes = terminated ? rewritten + [UInt8(ascii: "\n")] : rewritten
            try writing.write(contentsOf: bytes)
            written += UInt64(bytes.count)
            progress.document(of: input, tokens: counts.rewritten.values.reduce(0, +))
            if number % checkpointEvery == 0 {
                try writing.synchronize()
                try self.saveCheckpoint(lines: number, bytes: written)
            }
        }
    }

    /// The lines done and bytes written of an interrupted run, if its checkpoint and a temporary file that long exist.
    private func resumePoint() -> (lines: Int, bytes: UInt64)? {
        guard ndjson, FileManager.default.fileExists(atPath: temporary),
            let text = try? String(contentsOfFile: checkpoint, encoding: .utf8)
        else { return nil }
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let lines = Int(fields[0]), let bytes = UInt64(fields[1]),
            let size = try? FileManager.default.attributesOfItem(atPath: temporary)[.size] as? UInt64, size >= bytes
        else { return nil }
        printToStandardError("reencrypt: \(input): resuming after line \(lines)")
        return (lines, bytes)
    }

    private func saveCheckpoint(lines: Int, bytes: UInt64) throws {
        let staging = "\(checkpoint).tmp"
        try "\(lines) \(bytes)\n".write(toFile: staging, atomically: false, encoding: .utf8)
        guard rename(staging, checkpoint) == 0 else { throw CommandFailure("cannot write \(checkpoint)") }
    }
}
