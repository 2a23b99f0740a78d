import Crypto
import Foundation
import SealgateCrypto
import SealgateProxy

/// One file of a `reencrypt` run: written to `<destination>.reencrypt.tmp`, checkpointed (NDJSON) in
/// `<destination>.reencrypt.progress` (a ``ReencryptCheckpoint``: the lines done, the bytes written, and the input's
/// path and a hash of the part consumed), and renamed over the destination once complete. A checkpoint of another
/// input is refused, never resumed onto.
struct FileReencryption {
    var input: String
    var destination: String
    var ndjson: Bool
    var checkpointEvery: Int
    /// Ignore and remove a checkpoint, and start over.
    var restart = false
    /// Threads that rewrite an NDJSON file's lines at once; output stays in input order.
    var jobs = 1

    private var temporary: String { "\(destination).reencrypt.tmp" }
    private var checkpoint: String { "\(destination).reencrypt.progress" }

    /// Rewrites the file, resuming from its checkpoint if there is one.
    /// - Throws: ``CommandFailure`` naming the file, the line and the rule path of a token that fails.
    func run(_ fields: FieldRewriter, progress: inout ReencryptProgress) throws {
        guard let reading = FileHandle(forReadingAtPath: input) else {
            throw CommandFailure("cannot read \(input)")
        }
        defer { try? reading.close() }
        if self.restart {
            try? FileManager.default.removeItem(atPath: checkpoint)
            try? FileManager.default.removeItem(atPath: temporary)
        }
        let resumed = try self.resumePoint()
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
            try self.rewriteLines(reading, into: writing, from: resumed, fields, &progress)
        } else {
            var counts = FieldRewriter.Counts()
            let document = Array(try reading.readToEnd() ?? Data())
            do {
                try writing.truncate(atOffset: 0)
                try writing.write(contentsOf: try fields.rewrite(document: document, counts: &counts))
            } catch {
                throw CommandFailure("\(input): \(ErrorText.describe(error))")
            }
            progress.consumed(bytes: document.count)
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
        from resumed: ReencryptCheckpoint?,
        _ fields: FieldRewriter,
        _ progress: inout ReencryptProgress
    ) throws {
        try writing.truncate(atOffset: resumed?.writtenBytes ?? 0)
        var reader = LineReader(reading)
        var (number, written, consumed) = (0, resumed?.writtenBytes ?? 0, UInt64(0))
        var consumedHash = SHA256()
        // Lines are counted, hashed, written and checkpointed in input order as their results are taken; only the
        // rewriting of a batch runs in parallel.
        func take(_ line: [UInt8], terminated: Bool) {
            number += 1
            consumedHash.update(data: line)
            if terminated { consumedHash.update(data: [UInt8(ascii: "\n")]) }
            let length = line.count + (terminated ? 1 : 0)
            consumed += UInt64(length)
            progress.consumed(bytes: length)
        }
        var batch: [(line: [UInt8], terminated: Bool)] = []
        let batchSize = 256 * jobs
        let parallel = ParallelLineRewrite(jobs: jobs)
        // Written once per batch and before each checkpoint, not once per line.
        var pending: [UInt8] = []
        func flush() throws {
            let results = parallel.rewrite(batch.map(\.line), with: fields)
            defer { batch.removeAll(keepingCapacity: true) }
            for ((line, terminated), result) in zip(batch, results) {
                take(line, terminated: terminated)
                let rewritten: ParallelLineRewrite.Rewritten
                do {
                    rewritten = try result.get()
                } catch {
                    throw CommandFailure("\(input):\(number): \(ErrorText.describe(error)) (run again to resume from the checkpoint)")
                }
                pending.append(contentsOf: rewritten.bytes)
                if terminated { pending.append(UInt8(ascii: "\n")) }
                written += UInt64(rewritten.bytes.count + (terminated ? 1 : 0))
                progress.document(of: input, tokens: rewritten.tokens)
                if number % checkpointEvery == 0 {
                    try writing.write(contentsOf: pending)
                    pending.removeAll(keepingCapacity: true)
                    try writing.synchronize()
                    try ReencryptCheckpoint(
                        input: self.inputPath,
                        lines: number,
                        inputBytes: consumed,
                        inputSHA256: consumedHash.finalize().hexString,
                        writtenBytes: written
                    ).save(checkpoint)
                }
            }
            try writing.write(contentsOf: pending)
            pending.removeAll(keepingCapacity: true)
        }
        while let (line, terminated) = try reader.next() {
            if let resumed, number < resumed.lines {
                take(line, terminated: terminated)
                if number == resumed.lines {
                    try self.check(resumed, consumed: consumed, hash: consumedHash)
                    printToStandardError("reencrypt: \(input): resuming after line \(resumed.lines)")
                }
                continue
            }
            batch.append((line, terminated))
            if batch.count == batchSize { try flush() }
        }
        try flush()
        if let resumed, number < resumed.lines { throw self.otherInput(resumed, "it has only \(number) lines") }
    }

    /// The input's absolute path, as checkpoints record it.
    private var inputPath: String { URL(fileURLWithPath: input).standardizedFileURL.path }

    /// Refuses to resume onto an input whose consumed part is not the one the checkpoint was made over.
    private func check(_ checkpoint: ReencryptCheckpoint, consumed: UInt64, hash: SHA256) throws(CommandFailure) {
        guard consumed == checkpoint.inputBytes, hash.finalize().hexString == checkpoint.inputSHA256 else {
            throw self.otherInput(checkpoint, "its first \(checkpoint.lines) lines are not the ones already re-encrypted")
        }
    }

    private func otherInput(_ checkpoint: ReencryptCheckpoint, _ why: String) -> CommandFailure {
        CommandFailure(
            "\(input): the checkpoint \(self.checkpoint) was made for another input (\(why)); nothing was written. "
                + "Give the input it was made for, or run with --restart to start over."
        )
    }

    /// The checkpoint of an interrupted run, if it is one of this input and its temporary file is that long.
    private func resumePoint() throws(CommandFailure) -> ReencryptCheckpoint? {
        guard ndjson, FileManager.default.fileExists(atPath: temporary), let checkpoint = try ReencryptCheckpoint.load(self.checkpoint)
        else { return nil }
        guard checkpoint.input == self.inputPath else {
            throw self.otherInput(checkpoint, "it read \(checkpoint.input)")
        }
        guard let size = try? FileManager.default.attributesOfItem(atPath: temporary)[.size] as? UInt64, size >= checkpoint.writtenBytes
        else { return nil }
        return checkpoint
    }
}
